// Draftail "source citation" entity for briefdesk: choose (or create) a Source in a modal and
// insert a citation of it. A citation is a token: stored as <a linktype="source" id="N">LABEL</a>,
// it renders on the site as "(LABEL)" linked to the source, whatever text it holds. So selected
// text is never wrapped: it stays text, and the token goes right after it.
// A citation can carry the passage it supports (entity data `quote`, stored as data-quote, for
// quote checks; readers never see it): an optional "Quoted passage" field at the top of the
// chooser, and the citation's "Edit" to change it later.
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

  // A small native dialog for the quoted passage. `done(quote)` on submit; on Escape or
  // "Cancel", `cancel()`. The quote is optional: a blank one removes it.
  function askQuote(options, done, cancel) {
    var dialog = document.createElement('dialog');
    dialog.className = 'source-quote-dialog';
    dialog.setAttribute('aria-labelledby', 'source-quote-heading');
    dialog.innerHTML =
      '<form method="dialog">' +
      '<h2 id="source-quote-heading"></h2>' +
      '<label for="source-quote-text">Quoted passage (optional)</label>' +
      '<p class="help" id="source-quote-help">The source\'s words this citation supports, ' +
      'as you quote them. Checked against the archived copy before publishing; readers never ' +
      'see it.</p>' +
      '<textarea id="source-quote-text" rows="4" aria-describedby="source-quote-help"></textarea>' +
      '<div class="source-quote-dialog__actions">' +
      '<button type="submit" class="button" value="save"></button> ' +
      '<button type="submit" class="button button-secondary" value="cancel">Cancel</button>' +
      '</div></form>';
    dialog.querySelector('h2').textContent = options.heading;
    dialog.querySelector('button[value="save"]').textContent = options.save;
    var field = dialog.querySelector('textarea');
    field.value = options.quote || '';
    dialog.addEventListener('close', function () {
      var saved = dialog.returnValue === 'save';
      var quote = field.value.replace(/\s+/g, ' ').trim();
      dialog.remove();
      if (saved) {
        done(quote);
      } else {
        cancel();
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    field.focus();
  }

  // The chooser's steps, each followed by adding the "Quoted passage" field to the modal (its
  // body is replaced on each step, so the value is kept in `quote(value)`, which sets it
  // when given one and returns it).
  function withQuoteField(handlers, quote) {
    var wrapped = {};
    Object.keys(handlers).forEach(function (step) {
      wrapped[step] = function (modal, jsonData) {
        handlers[step](modal, jsonData);
        var body = modal.body && modal.body[0];
        if (step === 'chosen' || !body || body.querySelector('.source-quote-field')) {
          return;
        }
        var field = document.createElement('div');
        field.className = 'source-quote-field';
        field.innerHTML =
          '<label for="source-quote-chooser">Quoted passage (optional)</label>' +
          '<textarea id="source-quote-chooser" rows="2" aria-describedby="source-quote-chooser-help"></textarea>' +
          '<p class="help" id="source-quote-chooser-help">The source\'s words this citation ' +
          'supports. Checked against its archived copy before publishing; readers never see it.</p>';
        var textarea = field.querySelector('textarea');
        textarea.value = quote();
        textarea.addEventListener('input', function () {
          quote(textarea.value);
        });
        var header = body.querySelector('header');
        if (header && header.parentNode === body) {
          header.insertAdjacentElement('afterend', field);
        } else {
          body.insertBefore(field, body.firstChild);
        }
      };
    });
    return wrapped;
  }

  class SourceModalWorkflowSource extends draftail.ModalWorkflowSource {
    // "Edit" on an existing citation changes its quote; to cite another source, remove the
    // citation and insert a new one.
    componentDidMount() {
      var props = this.props;
      if (!props.entity) {
        super.componentDidMount();
        return;
      }
      var data = props.entity.getData();
      askQuote(
        {
          heading: 'Quote from ' + (data.title || data.label || 'source ' + data.id),
          save: 'Save quote',
          quote: data.quote,
        },
        function (quote) {
          var content = props.editorState.getCurrentContent();
          content = content.mergeEntityData(props.entityKey, { quote: quote });
          props.onComplete(DraftJS.EditorState.push(props.editorState, content, 'apply-entity'));
        },
        function () {
          props.onClose();
        }
      );
    }


    getChooserConfig() {
      var urls = (this.props.entityType && this.props.entityType.chooserUrls) || {};
      var self = this;
      self.quote = '';
      return {
        url: urls.sourceChooser,
        urlParams: {},
        onload: withQuoteField(window.CHOOSER_MODAL_ONLOAD_HANDLERS, function (value) {
          if (value !== undefined) {
            self.quote = value;
          }
          return self.quote;
        }),
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
      var entityData = this.filterEntityData(data);
      var quote = (this.quote || '').replace(/\s+/g, ' ').trim();
      if (quote) {
        entityData.quote = quote;
      }
      var nextState = insertCitation(props.editorState, props.entityType.type, entityData);
      this.workflow.close();
      props.onComplete(nextState);
    }
  }

  function SourceDecorator(props) {
    var data = props.contentState.getEntity(props.entityKey).getData();
    var label = data.title ? 'Cites: ' + data.title : 'Cites source #' + data.id;
    if (data.quote) {
      label += ' — quotes “' + data.quote + '”';
    }
    return React.createElement(
      'span',
      {
        className: 'draftail-source' + (data.quote ? ' draftail-source--quoted' : ''),
        'data-source-id': data.id,
      },
      React.createElement(
        draftail.TooltipEntity,
        Object.assign({}, props, { icon: '#icon-openquote', label: label, url: null })
      )
    );
  }

  draftail.registerPlugin(
    { type: 'SOURCE', source: SourceModalWorkflowSource, decorator: SourceDecorator },
    'entityTypes'
  );
})();
