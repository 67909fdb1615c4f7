/** Types of validation-cut.mjs (imported by the TypeScript language bench and the training tools). */
export declare const VALIDATION_PERCENT: number;
export declare function normaliseForCut(text: string): string;
export declare function isValidationRow(text: string): boolean;
export declare function isDetectorCheckRow(text: string): boolean;
export declare const DETECTOR_ENGLISH_FILES: string[];
