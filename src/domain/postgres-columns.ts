// Which columns of the users' PostgreSQL table the sink writes: `id=id,label=sentiment,score=sentiment_score,...`
// (the --pg-columns flag, POSTGRES_SINK_COLUMNS, the pgColumns deploy parameter). Pure: parsing and defaults only;
// whether the table has them is the adapter's to check (src/postgres/results-writer.ts).

/** The fields a result (or a dead-lettered post's reason) is written to. */
export const SINK_FIELDS = ['id', 'label', 'score', 'model', 'scoredAt', 'failure'] as const;
export type SinkField = (typeof SINK_FIELDS)[number];

/** Field -> column; the optional fields (model, failure) are left out when not mapped. */
export type SinkColumns = { id: string; label: string; score: string; scoredAt: string } & Partial<
  Record<'model' | 'failure', string>
>;

/**
 * The seed table's names (`tweet['sentiment']`, `tweet['sentiment_score']`). scoredAt is required: it is what keeps
 * an older result from overwriting a newer one (ALTER TABLE <t> ADD COLUMN sentiment_scored_at timestamptz).
 */
export const DEFAULT_SINK_COLUMNS: SinkColumns = {
  id: 'id',
  label: 'sentiment',
  score: 'sentiment_score',
  scoredAt: 'sentiment_scored_at',
};

export const SINK_COLUMNS_SYNTAX = 'id=COL,label=COL,score=COL,scoredAt=COL[,model=COL][,failure=COL]';

/** `label=sentiment,failure=sentiment_failure` over the defaults; throws a message naming what is wrong. */
export function parseSinkColumns(spec: string | undefined): SinkColumns {
  const columns: SinkColumns = { ...DEFAULT_SINK_COLUMNS };
  if (spec === undefined || spec.trim() === '') return columns;
  for (const pair of spec.split(',')) {
    const [field, column, ...rest] = pair.split('=').map((part) => part.trim());
    if (!SINK_FIELDS.includes(field as SinkField))
      throw new Error(`unknown field "${field}" in "${pair}": the fields are ${SINK_FIELDS.join(', ')}`);
    if (!column || rest.length > 0) throw new Error(`"${pair}" is not FIELD=COLUMN (${SINK_COLUMNS_SYNTAX})`);
    columns[field as SinkField] = column;
  }
  return columns;
}

/** `schema.table` or `table`, as the parts to quote one by one. */
export function tableParts(table: string): string[] {
  const parts = table.split('.').map((part) => part.trim());
  if (parts.length > 2 || parts.some((part) => part === ''))
    throw new Error(`table "${table}" is not TABLE or SCHEMA.TABLE`);
  return parts;
}
