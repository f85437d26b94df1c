// Draftail "source citation" entity for briefdesk: choose (or create) a Source in a modal and
// insert a citation of it. A citation is a token: stored as <a linktype="source" id="N">LABEL</a>,
// it renders on the site as "(LABEL)" linked to the source, whatever text it holds. So selected
// text is never wrapped: it stays text, and the token goes right after it.
(function () {
  'use strict';
  var React = window.React;
  var DraftJS = window.DraftJS;
  var draftail = window.draftail;

  function isSpace(character) {
    return /\s/.test(character);
  }

  // Where the token goes: the cursor, or the end of the selection (before any whitespace that
  // ends it, so "Islamabad " cites as "Islamabad (Dawn) ").
  function insertionPoint(content, selection) {
    var key = selection.getEndKey();
    var text = content.getBlockForKey(key).getText();
    var offset = selection.getEndOffset();
    var start = selection.getStartKey() === key ? selection.getStartOffset() : 0;
    while (offset > start && isSpace(text.charAt(offset - 1))) {
      offset -= 1;
    }
    return { key: key, text: text, offset: offset };
  }

  // The token is IMMUTABLE: typing next to it never extends it, and editing it removes it
  // whole, so its text only ever holds the source's label.
  function insertCitation(editorState, entityType, entityData) {
    var content = editorState.getCurrentContent();
    var point = insertionPoint(content, editorState.getSelection());
    var at = DraftJS.SelectionState.createEmpty(point.key).merge({
      anchorOffset: point.offset,
      focusOffset: point.offset,
    });
    if (point.offset > 0 && !isSpace(point.text.charAt(point.offset - 1))) {
      content = DraftJS.Modifier.insertText(content, at, ' ');
      at = content.getSelectionAfter();
    }
    content = content.createEntity(entityType, 'IMMUTABLE', entityData);
    var entityKey = content.getLastCreatedEntityKey();
    var text = entityData.label || entityData.title || 'Source ' + entityData.id;
    content = DraftJS.Modifier.insertText(content, at, text, null, entityKey);
    var nextState = DraftJS.EditorState.push(editorState, content, 'insert-characters');
    return DraftJS.EditorState.forceSelection(nextState, content.getSelectionAfter());
  }

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

    // Wagtail's onChosen only knows its own entity types.
    onChosen(data) {
      var props = this.props;
      var nextState = insertCitation(
        props.editorState,
        props.entityType.type,
        this.filterEntityData(data)
      );
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
