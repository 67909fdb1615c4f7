// PLACEHOLDER: replaced by the pipeline work (issue 3).
export const handler = async (): Promise<never> => { throw new Error('aggregate handler not implemented yet'); };
