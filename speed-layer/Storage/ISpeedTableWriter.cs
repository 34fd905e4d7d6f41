using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;

namespace Lambda.SpeedLayer.Storage;

/// <summary>
/// The speed layer's write port to its speed tables (ClickHouse): schema, atomic delta inserts and how far each
/// partition got (resume). The serving layer reads the same tables through its own port, the batch layer maintains
/// them through its own; all three share the table format of Lambda.Shared's SpeedViews. Every method works on the
/// table of the view definition it is given (<see cref="SpeedTableSchema.TableNameOf"/>); a table that does not
/// exist yet reads as empty.
/// </summary>
public interface ISpeedTableWriter
{
    /// <summary>
    /// Creates (idempotently) the database, the <c>speed_tables</c> metadata table, the <c>speed_fences</c> table, the table
    /// of every view (adding <c>fencing_token</c> to one created before fencing existed) and its analyst view (re-pointed at
    /// the current version). A view whose definition differs from the
    /// latest recorded version is logged as a warning and gets its new table; old tables are left as they are.
    /// </summary>
    Task<IReadOnlyList<SpeedTableVersion>> EnsureSchemaAsync(IEnumerable<ViewDefinition> views, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one flush of <paramref name="view"/> as ONE insert (one block, atomic): for each delta its
    /// groups as delta rows, or one marker row when it has none; every row carries its partition's offset range.
    /// Not retried here: a transient failure leaves the outcome unknown (see <see cref="GetMaxOffsetsAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Bad ranges, two deltas of one partition, or more than <see cref="SpeedTableSchema.MaxRowsPerInsert"/> rows.</exception>
    Task InsertAsync(ViewDefinition view, IReadOnlyList<SpeedPartitionDelta> deltas, DateTime flushedAtUtc, CancellationToken cancellationToken);

    /// <summary>
    /// Per Kafka partition, the largest <c>last_offset</c> stored for the view (delta and marker rows): the
    /// view resumes the partition at that offset + 1. Partitions with no row are absent.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetMaxOffsetsAsync(ViewDefinition, CancellationToken)"/> for the listed partitions only, looking
    /// only at rows whose <c>last_offset</c> is &gt;= the partition's lower bound (null: every row of the
    /// partition), so the primary key (partition, last_offset) keeps the query small however large the
    /// table is. A partition without such a row is absent.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsAsync(ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetMaxOffsetsAsync(ViewDefinition, IReadOnlyDictionary{int, long?}, CancellationToken)"/> with the fences
    /// this instance read right after it last recorded its own for the view (every fence up to its latest assignment), not
    /// read again: the check before an insert needs only those (its own fence sets aside a stale owner's rows; a later
    /// owner's rows count whatever fences say), and it saves a query per flush. Resume reads use the fresh form.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetMaxOffsetsBeforeInsertAsync(ViewDefinition view, IReadOnlyDictionary<int, long?> from, CancellationToken cancellationToken);

    /// <summary>
    /// Records the fences of an assignment for the view's table (<see cref="SpeedFences"/>), in one insert; repeating it is
    /// harmless. Both max-offset reads above count only the rows the fences stored at the time let count.
    /// </summary>
    Task WriteFencesAsync(ViewDefinition view, IReadOnlyList<SpeedFence> fences, CancellationToken cancellationToken);
}
