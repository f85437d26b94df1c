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

    // Remember the editor the citation goes into: opened from the "/" menu, the modal would
    // hand the focus back to the page, not the editor, and the author would have to click in.
    componentDidMount() {
      var selection = window.getSelection();
      var node = selection && selection.anchorNode;
      var element = node && (node.nodeType === 1 ? node : node.parentElement);
      this.editorRoot = element && element.closest('.public-DraftEditor-content');
      super.componentDidMount();
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
      var editorRoot = this.editorRoot;
      var entityKey = nextState.getCurrentContent().getLastCreatedEntityKey();
      if (editorRoot) {
        // The modal gives the focus back to its trigger element once it has faded out; then
        // the cursor goes right after the new citation, where the author goes on typing.
        this.workflow.triggerElement = editorRoot;
        this.workflow.container.on('hidden.bs.modal', function () {
          placeCursorAfter(editorRoot, entityKey);
        });
      }
      this.workflow.close();
      props.onComplete(nextState);
    }
  }

  // Put the browser's cursor at the end of a citation token's text: Draft.js reads the DOM
  // selection on the next key, so typing goes on after the citation.
  function placeCursorAfter(editorRoot, entityKey) {
    var token = editorRoot.querySelector('[data-entity-key="' + entityKey + '"]');
    if (!token) {
      return;
    }
    var walker = document.createTreeWalker(token, NodeFilter.SHOW_TEXT);
    var last = null;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      last = node;
    }
    if (!last) {
      return;
    }
    var range = document.createRange();
    range.setStart(last, last.textContent.length);
    range.collapse(true);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function SourceDecorator(props) {
    var data = props.contentState.getEntity(props.entityKey).getData();
    return React.createElement(
      'span',
      {
        className: 'draftail-source',
        'data-source-id': data.id,
        'data-entity-key': props.entityKey,
      },
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
