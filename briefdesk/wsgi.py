import os

from django.core.wsgi import get_wsgi_application

# The env file (BRIEFDESK_ENV_FILE) may name DJANGO_SETTINGS_MODULE: load it first, for any
# WSGI server (briefdesk serve passes the module on itself).
import briefdesk.settings.paths  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.production")

from briefdesk.core.pagecache import wrap

# Anonymous readers' pages come from the page cache without reaching Django (PAGE_CACHE).
application = wrap(get_wsgi_application())

# Load the PDF renderer with the worker, not on the first PDF request (importing WeasyPrint
# takes about half a second). It holds no state that a fork could break, unlike V8.
import weasyprint  # noqa: E402, F401
