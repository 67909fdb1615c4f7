/** Types of audience-files.mjs: short name -> path under the data directory. */
export declare const AUDIENCE_FILES: Record<string, string>;
