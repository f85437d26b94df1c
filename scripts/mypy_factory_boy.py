"""mypy plugin: calling a factory_boy factory class returns what the factory makes.

``SourceFactory(title="…")`` runs ``FactoryMetaClass.__call__`` and returns a ``Source``, but mypy
types it as a ``SourceFactory`` instance (python/mypy#14122), so every attribute use is a false
error. This hook types the call as the factory's model: the ``T`` of ``Factory[T]`` when the
factory is parametrised (``DjangoModelFactory[Source]``), otherwise ``Any``. ``.create()`` and
``.build()`` are already typed by factory_boy itself.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, TypeOfAny, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


def _model_type(ctx: FunctionContext) -> Type:
    made = get_proper_type(ctx.default_return_type)
    if not isinstance(made, Instance) or not made.type.has_base(BASE_FACTORY):
        return ctx.default_return_type
    base = map_instance_to_supertype(made, _base_info(made.type))
    if base.args:
        return base.args[0]
    return AnyType(TypeOfAny.special_form)


def _base_info(info: TypeInfo) -> TypeInfo:
    return next(t for t in info.mro if t.fullname == BASE_FACTORY)


class FactoryBoyPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is None or not isinstance(symbol.node, TypeInfo):
            return None
        if symbol.node.fullname == BASE_FACTORY or not symbol.node.has_base(BASE_FACTORY):
            return None
        return _model_type


def plugin(version: str) -> type[Plugin]:
    return FactoryBoyPlugin
