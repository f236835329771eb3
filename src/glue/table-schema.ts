import { createHash } from 'crypto';

/**
 * The type of a column of the ingested table.
 */
export enum ColumnType {
  /** UTF-8 text. */
  STRING = 'string',
  /** 32-bit signed integer. */
  INTEGER = 'integer',
  /** 64-bit signed integer. */
  LONG = 'long',
  /** Fixed-point number; needs `precision` and `scale`. */
  DECIMAL = 'decimal',
  /** Calendar date, parsed with `format`. */
  DATE = 'date',
  /** Timestamp, parsed with `format`. */
  TIMESTAMP = 'timestamp',
  /** `true` or `false`. */
  BOOLEAN = 'boolean',
}

/**
 * Value constraints of a column. A row that breaks one is quarantined.
 */
export interface ColumnConstraints {
  /**
   * A regular expression the whole value must match (string columns). Use the syntax common to
   * JavaScript and Python: it is checked by both.
   *
   * @default - no pattern
   */
  readonly pattern?: string;

  /**
   * The only values allowed (string columns).
   *
   * @default - any value
   */
  readonly allowedValues?: string[];

  /**
   * Smallest allowed value (integer, long and decimal columns).
   *
   * @default - no minimum
   */
  readonly minimum?: number;

  /**
   * Largest allowed value (integer, long and decimal columns).
   *
   * @default - no maximum
   */
  readonly maximum?: number;
}

/**
 * One column of the ingested table, in the order of the CSV header.
 */
export interface TableColumn {
  /** Column name, as in the CSV header: letters, digits and `_`, not starting with a digit. */
  readonly name: string;

  /** Column type. */
  readonly type: ColumnType;

  /**
   * Whether an empty field is accepted (as null).
   *
   * @default false
   */
  readonly nullable?: boolean;

  /**
   * Total digits of a decimal column, 1 to 38.
   *
   * @default - required for decimal columns, not allowed on others
   */
  readonly precision?: number;

  /**
   * Digits after the point of a decimal column, 0 to `precision`.
   *
   * @default - required for decimal columns, not allowed on others
   */
  readonly scale?: number;

  /**
   * Parse format of a date or timestamp column (Spark datetime pattern).
   *
   * @default - 'yyyy-MM-dd' for dates, 'yyyy-MM-dd HH:mm:ss' for timestamps
   */
  readonly format?: string;

  /**
   * Value constraints.
   *
   * @default - none
   */
  readonly constraints?: ColumnConstraints;

  /**
   * The column holds personal data: it is pseudonymized (HMAC-SHA256) before it is written.
   * String columns only.
   *
   * @default false
   */
  readonly pii?: boolean;
}

/** Version of the schema's JSON form. */
const SCHEMA_VERSION = 1;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_PREFIX = '_sdl_';
const NUMERIC = new Set<string>([ColumnType.INTEGER, ColumnType.LONG, ColumnType.DECIMAL]);
const DEFAULT_FORMAT: { [t: string]: string } = { [ColumnType.DATE]: 'yyyy-MM-dd', [ColumnType.TIMESTAMP]: 'yyyy-MM-dd HH:mm:ss' };

/** JSON with object keys sorted at every depth, no whitespace: the form both sides hash. */
function canonicalJson(value: any): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The declared schema of an ingested table: the contract shared by the construct (which passes
 * it to the job as a JSON argument) and the ingestion script (which validates every row with it).
 *
 * The JSON form has its JSON Schema in `glue/job-script/table-schema.schema.json`; golden vectors
 * are checked from TypeScript and Python alike.
 *
 * @example
 * const schema = sdl.TableSchema.of([
 *   { name: 'customer_id', type: sdl.ColumnType.LONG },
 *   { name: 'email', type: sdl.ColumnType.STRING, pii: true, constraints: { pattern: '[^@]+@[^@]+' } },
 *   { name: 'balance', type: sdl.ColumnType.DECIMAL, precision: 12, scale: 2, nullable: true },
 * ]);
 */
export class TableSchema {
  /**
   * A schema from its columns, validated: every problem is reported at once.
   *
   * @param columns the columns, in the order of the CSV header
   */
  public static of(columns: TableColumn[]): TableSchema {
    return new TableSchema(columns);
  }

  /**
   * A schema from its JSON form (`{ "version": 1, "columns": [...] }`, the form `toJson` writes and
   * `table-schema.schema.json` describes), validated like `of`.
   *
   * @param json the JSON text, for example the content of a schema file
   */
  public static fromJson(json: string): TableSchema {
    let doc: any;
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new Error(`TableSchema: the schema is not JSON: ${(e as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || doc.version !== SCHEMA_VERSION || !Array.isArray(doc.columns)) {
      throw new Error(`TableSchema: a schema is an object with "version": ${SCHEMA_VERSION} and a "columns" array (got ${JSON.stringify(doc)?.slice(0, 80)})`);
    }
    const allowed = new Set(['name', 'type', 'nullable', 'pii', 'precision', 'scale', 'format', 'constraints']);
    const unknown = doc.columns.flatMap((c: any, i: number) => Object.keys(c ?? {}).filter((k) => !allowed.has(k)).map((k) => `column ${i + 1}: unknown key '${k}'`));
    if (unknown.length > 0) throw new Error(`TableSchema: ${unknown.join('; ')}`);
    return new TableSchema(doc.columns.map((c: any) => ({ ...c, constraints: c.constraints ?? undefined })));
  }

  /** The columns, with defaults filled in. */
  public readonly columns: TableColumn[];

  private constructor(columns: TableColumn[]) {
    const problems: string[] = [];
    if (columns.length === 0) problems.push('a schema needs at least one column');
    const seen = new Map<string, string>();
    this.columns = columns.map((c, i) => {
      const where = `column ${i + 1} ('${c.name}')`;
      if (!NAME.test(c.name)) problems.push(`${where}: name must be letters, digits and _, not starting with a digit, at most 128 characters`);
      if (c.name.toLowerCase().startsWith(RESERVED_PREFIX)) problems.push(`${where}: names starting with ${RESERVED_PREFIX} are reserved for lineage columns`);
      const prior = seen.get(c.name.toLowerCase());
      if (prior !== undefined) problems.push(`${where}: duplicates column '${prior}' (names are case-insensitive in Spark and Delta)`);
      seen.set(c.name.toLowerCase(), c.name);
      if (!Object.values(ColumnType).includes(c.type)) problems.push(`${where}: unknown type '${c.type}'`);

      if (c.type === ColumnType.DECIMAL) {
        if (c.precision === undefined || !Number.isInteger(c.precision) || c.precision < 1 || c.precision > 38) {
          problems.push(`${where}: a decimal needs an integer precision from 1 to 38 (got ${c.precision})`);
        }
        if (c.scale === undefined || !Number.isInteger(c.scale) || c.scale < 0 || (c.precision !== undefined && c.scale > c.precision)) {
          problems.push(`${where}: a decimal needs an integer scale from 0 to its precision (got ${c.scale})`);
        }
      } else if (c.precision !== undefined || c.scale !== undefined) {
        problems.push(`${where}: precision and scale are for decimal columns only`);
      }
      if (c.format !== undefined && !(c.type in DEFAULT_FORMAT)) problems.push(`${where}: format is for date and timestamp columns only`);
      if (c.format !== undefined && c.format.trim() === '') problems.push(`${where}: format is empty`);
      if (c.pii && c.type !== ColumnType.STRING) problems.push(`${where}: pii is for string columns only (pseudonyms are strings)`);

      const k = c.constraints;
      if (k) {
        if ((k.pattern !== undefined || k.allowedValues !== undefined) && c.type !== ColumnType.STRING) {
          problems.push(`${where}: pattern and allowedValues are for string columns only`);
        }
        if (k.pattern !== undefined) {
          try {
            new RegExp(k.pattern);
          } catch (e) {
            problems.push(`${where}: pattern does not compile: ${(e as Error).message}`);
          }
        }
        if (k.allowedValues !== undefined && k.allowedValues.length === 0) problems.push(`${where}: allowedValues is empty`);
        if ((k.minimum !== undefined || k.maximum !== undefined) && !NUMERIC.has(c.type)) {
          problems.push(`${where}: minimum and maximum are for integer, long and decimal columns only`);
        }
        if (k.minimum !== undefined && k.maximum !== undefined && k.minimum > k.maximum) {
          problems.push(`${where}: minimum ${k.minimum} is greater than maximum ${k.maximum}`);
        }
      }
      return {
        name: c.name,
        type: c.type,
        nullable: c.nullable ?? false,
        pii: c.pii ?? false,
        precision: c.precision,
        scale: c.scale,
        format: c.format ?? DEFAULT_FORMAT[c.type],
        constraints: k && (k.pattern !== undefined || k.allowedValues !== undefined || k.minimum !== undefined || k.maximum !== undefined)
          ? { pattern: k.pattern, allowedValues: k.allowedValues, minimum: k.minimum, maximum: k.maximum }
          : undefined,
      };
    });
    if (problems.length > 0) {
      throw new Error(`TableSchema: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    }
  }

  /**
   * The schema's JSON form, canonical (keys sorted, no whitespace): what the job receives.
   */
  public toJson(): string {
    return canonicalJson({ version: SCHEMA_VERSION, columns: this.columns });
  }

  /**
   * SHA-256 of the JSON form, recorded with every ingested batch.
   */
  public get hash(): string {
    return createHash('sha256').update(this.toJson(), 'utf8').digest('hex');
  }
}
