/** Data frames for training: load the population's CSV files and shape feature matrices. */
export { openFrames, Frames, type OpenFramesOptions, type KeyedFeatureMatrix } from './frames.ts';
export { memberFeatureSql, windowStart, parseIsoDay, RESULT_STATUSES, type MemberFeatureSpec, type ObservationFeature, type ObservationAggregate, type DemographicFeature } from './feature-sql.ts';
export { typedColumns, type TypedColumn } from './column-types.ts';
export { FramesError, type FramesErrorCode } from './errors.ts';
