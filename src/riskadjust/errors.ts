/** Typed errors of the risk-adjustment engine and its table loader. */

/** Base class: every risk-adjustment failure carries a stable code. */
export class RiskAdjustError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model table file does not have the expected format; names the file, line and rule. */
export class ModelTableFormatError extends RiskAdjustError {
  constructor(source: string, detail: string) {
    super('MODEL_TABLE_FORMAT', `${source}: ${detail}`);
  }
}

/** The model tables are internally inconsistent (e.g. an interaction names an undefined factor). */
export class ModelDefinitionError extends RiskAdjustError {
  constructor(modelId: string, detail: string) {
    super('MODEL_DEFINITION', `model ${modelId}: ${detail}`);
  }
}

/** A member names a segment the model does not define. */
export class UnknownSegmentError extends RiskAdjustError {
  constructor(modelId: string, segment: string) {
    super('UNKNOWN_SEGMENT', `model ${modelId} has no segment "${segment}"`);
  }
}

/** No published payment factors for this model and payment year. */
export class UnknownPaymentYearError extends RiskAdjustError {
  constructor(modelId: string, paymentYear: number) {
    super('UNKNOWN_PAYMENT_YEAR', `no published payment factors for ${modelId} in payment year ${paymentYear}`);
  }
}

/** A model fit cannot proceed (no rows, a hierarchy the monotone constraints cannot express, bad options). */
export class RiskModelFitError extends RiskAdjustError {
  constructor(detail: string) {
    super('RISK_MODEL_FIT', detail);
  }
}
