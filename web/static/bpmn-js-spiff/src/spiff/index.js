// The spiffworkflow module for bpmn-js: the properties provider with every
// Spiff group, the spiff.update command, and the import fixes.

import SpiffUpdateHandler from './command.js';
import { getBusinessObject, is } from './helpers.js';
import { emptyHost } from './host.js';
import { instructionsGroup, prePostGroup, scriptGroup, unitTestsGroup } from './scripts.js';
import {
  businessRuleGroup,
  callActivityGroup,
  guestGroup,
  metadataGroup,
  serviceTaskGroup,
  signalButtonGroup,
  userTaskGroup,
} from './tasks.js';
import { conditionGroup, dedupeCorrelationProperties, eventRefGroups, messagesGroup, processListGroups, timerGroup } from './events.js';
import { dataObjectReferenceGroup, dataObjectsGroup, dataStoreGroup, fixUnresolvedReferences, ioGroup, laneGroup, multiInstanceGroup } from './data.js';

// Groups of the standard panel that the Spiff groups replace.
const REPLACED = new Set(['message', 'signal', 'error', 'escalation', 'timer', 'multiInstance']);

// The order of the groups in the panel: what the element is for first,
// then what every task has.
const BUILDERS = [
  scriptGroup,
  serviceTaskGroup,
  userTaskGroup,
  callActivityGroup,
  businessRuleGroup,
  messagesGroup,
  eventRefGroups,
  timerGroup,
  conditionGroup,
  laneGroup,
  signalButtonGroup,
  instructionsGroup,
  guestGroup,
  metadataGroup,
  prePostGroup,
  unitTestsGroup,
  dataObjectsGroup,
  dataObjectReferenceGroup,
  dataStoreGroup,
  ioGroup,
  multiInstanceGroup,
  processListGroups,
];

// SpiffState is per-modeler state that is not in the moddle tree: the
// definitions-level correlation keys bpmn-moddle cannot hold.
export class SpiffState {
  constructor(eventBus) {
    this.keys = [];
    this.eventBus = eventBus;
  }

  // setMainKey makes MainCorrelationKey reference props (moddle
  // correlation properties).
  setMainKey(refs) {
    const rest = this.keys.filter((k) => k.name !== 'MainCorrelationKey');
    const old = this.keys.find((k) => k.name === 'MainCorrelationKey');
    this.keys = refs.length
      ? [{ id: old ? old.id : 'CorrelationKey_' + Math.random().toString(36).slice(2, 9), name: 'MainCorrelationKey', refs }, ...rest]
      : rest;
  }
}

SpiffState.$inject = ['eventBus'];

export class SpiffPropertiesProvider {
  constructor(propertiesPanel, injector, eventBus, spiffHost, spiffState) {
    this.injector = injector;
    this.ctx = { injector, host: spiffHost || emptyHost, state: spiffState };
    propertiesPanel.registerProvider(500, this);
    this.eventBus = eventBus;
  }

  getGroups(element) {
    return (groups) => {
      const out = groups.filter((g) => !REPLACED.has(g.id));
      for (const build of BUILDERS) {
        // One failing group must never stop the panel from rendering the
        // others, or from following the selection.
        try {
          const g = build(element, this.ctx);
          if (Array.isArray(g)) {
            out.push(...g);
          } else if (g) {
            out.push(g);
          }
        } catch (err) {
          console.error('properties group ' + build.name + ' failed for ' + element.id, err);
          this.eventBus.fire('spiff.panel.error', { element, error: err, group: build.name });
        }
      }
      return out;
    };
  }
}

SpiffPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'eventBus', 'spiffHost', 'spiffState'];

function SpiffInit(eventBus, commandStack, moddle) {
  commandStack.registerHandler('spiff.update', SpiffUpdateHandler);
  eventBus.on('import.parse.complete', 2000, (event) => {
    if (!event.definitions) {
      return;
    }
    fixUnresolvedReferences(event, moddle);
    dedupeCorrelationProperties(event.definitions);
  });
}

SpiffInit.$inject = ['eventBus', 'commandStack', 'moddle'];

export default {
  __init__: ['spiffInit', 'spiffPropertiesProvider'],
  spiffInit: ['type', SpiffInit],
  spiffState: ['type', SpiffState],
  spiffPropertiesProvider: ['type', SpiffPropertiesProvider],
};

export { getBusinessObject, is };
