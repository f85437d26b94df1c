// Draftail "source citation" entity for briefdesk: choose (or create) a Source in a modal and
// mark text as citing it. With no text selected, the source's label is inserted. Stored as
// <a linktype="source" id="N">; the site renders it as "(LABEL)" linked to the source.
(function () {
  'use strict';
  var React = window.React;
  var DraftJS = window.DraftJS;
  var draftail = window.draftail;

  class SourceModalWorkflowSource extends draftail.ModalWorkflowSource {
    getChooserConfig() {
      var urls = (this.props.entityType && this.props.entityType.chooserUrls) || {};
      return {
        url: urls.sourceChooser,
        urlParams: {},
        onload: window.CHOOSER_MODAL_ONLOAD_HANDLERS,
        responses: { chosen: this.onChosen },
      };
    }

    filterEntityData(data) {
      return {
        id: parseInt(data.id, 10),
        label: data.label || '',
        title: data.title || data.string || '',
      };
    }

    // Wagtail's onChosen only knows its own entity types; a source citation is MUTABLE text.
    onChosen(data) {
      var props = this.props;
      var editorState = props.editorState;
      var content = editorState.getCurrentContent();
      var selection = editorState.getSelection();
      var entityData = this.filterEntityData(data);
      content = content.createEntity(props.entityType.type, 'MUTABLE', entityData);
      var entityKey = content.getLastCreatedEntityKey();
      var nextState;
      if (selection.isCollapsed()) {
        var text = entityData.label || entityData.title || 'Source ' + entityData.id;
        nextState = DraftJS.EditorState.push(
          editorState,
          DraftJS.Modifier.replaceText(content, selection, text, null, entityKey),
          'insert-characters'
        );
      } else {
        nextState = DraftJS.RichUtils.toggleLink(editorState, selection, entityKey);
      }
      this.workflow.close();
      props.onComplete(nextState);
    }
  }

  function SourceDecorator(props) {
    var data = props.contentState.getEntity(props.entityKey).getData();
    return React.createElement(
      'span',
      { className: 'draftail-source', 'data-source-id': data.id },
      React.createElement(
        draftail.TooltipEntity,
        Object.assign({}, props, {
          icon: '#icon-openquote',
          label: data.title ? 'Cites: ' + data.title : 'Cites source #' + data.id,
          url: null,
        })
      )
    );
  }

  draftail.registerPlugin(
    { type: 'SOURCE', source: SourceModalWorkflowSource, decorator: SourceDecorator },
    'entityTypes'
  );
})();
