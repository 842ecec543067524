// The labels live with the services (the Antrag PDF in the archive activity needs them too); the workbench re-exports.
export { type LabelledField, labelApplication } from '../../services/application-labels.js';
