export * from './types.js';
export { fieldProblem, idNumberProblem, isIsoDate, type FieldProblem } from './field-check.js';
export { CatalogError, decideCatalogUpdate, validateCatalog, type CatalogUpdateDecision, type ValidateOptions } from './validate.js';
export { ISSUABLE_TEMPLATES, demoCatalog, findBundle, findItem, requireItem, searchCatalog } from './catalog.js';
export { applyCatalogUpdate, ensureCatalog, storedCatalog } from './catalog-store.js';
