/** Fitting the bureau's own risk model (pure): categories file, design, NNLS, metrics. */
export { BureauDefinitionSchema, bureauModelTables, parseBureauDefinition, type BureauDefinition } from './bureau-definition.ts';
export { nnlsFromNormalEquations, type NnlsResult } from './nnls.ts';
export { milderNeighbours, termDesign, type TermColumn, type TermDesign } from './terms.ts';
export { evaluateModel, type CostRow, type ModelEvaluation, type RatioCell } from './predictive-ratios.ts';
export { fitRiskModel, type FitOptions, type FittedRiskModel } from './fit.ts';
