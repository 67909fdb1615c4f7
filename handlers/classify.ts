// PLACEHOLDER: replaced by the pipeline work (issue 3).
export const handler = async (): Promise<never> => { throw new Error('classify handler not implemented yet'); };
