using Lambda.BatchLayer.Drift;
using Lambda.BatchLayer.SpeedTables;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Drift;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Drift;

/// <summary>
/// Several views of one source share one read of the archived events in the audit: each view must still be compared with
/// its own groups. One view's speed deltas miss an event; only that view may report drift.
/// </summary>
public sealed class DriftAuditorTests : IDisposable
{
    private const int Partitions = 3;
    private readonly TestDirectory _root = new("drift-auditor");
    private readonly LambdaCatalog _catalog = TestCatalogs.Default;
    private readonly SourceDefinition _orders = TestCatalogs.Default.GetSource("orders");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Views_audited_from_one_read_are_each_compared_with_their_own_groups()
    {
        var messages = OrderDatasets.Messages(_orders, 1_500, Partitions, seed: 21);
        await OrderDatasets.WriteAsync(_root.Path, _orders, messages, perCommit: 200);
        var watermarks = Enumerable.Range(0, Partitions).ToDictionary(p => p, _ => 400L);
        var views = new[] { "orders_by_status", "revenue_by_country", "order_amounts" }.Select(_catalog.GetView).ToArray();
        var speed = new RecordingSpeedTables(messages, missingIn: "orders_by_status");
        var store = new RecordingAuditStore();
        var auditor = new DriftAuditor(
            _catalog, speed, store, Options.Create(new DriftOptions()), Options.Create(new BatchStorageOptions { DatasetRoot = _root.Path }),
            TimeProvider.System, NullLogger<DriftAuditor>.Instance);
        var manifest = new BatchManifest
        {
            RunId = "r1",
            PublishedAt = DateTimeOffset.UtcNow,
            Views = views.ToDictionary(v => v.Name, v => new BatchViewEntry
            {
                View = v.Name, Source = "orders", DefinitionHash = v.DefinitionHash, RunId = "r1",
                ComputedAt = DateTimeOffset.UtcNow, Watermarks = watermarks, Days = [],
            }),
        };

        await auditor.AuditAsync("r1", null, manifest);

        Assert.Equal(views.Select(v => v.Name).Order(), store.Audits.Select(a => a.View).Order());
        foreach (var audit in store.Audits)
        {
            Assert.Equal(speed.GroupsOf(audit.View), audit.BatchGroups);
            Assert.Equal(audit.View == "orders_by_status" ? DriftOutcomes.Drift : DriftOutcomes.Clean, audit.Outcome);
        }
    }

    /// <summary>Speed deltas made from the messages in the ranges, one event left out of one view.</summary>
    private sealed class RecordingSpeedTables(IReadOnlyList<OrderMessage> messages, string missingIn) : ISpeedTableMaintenance
    {
        private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);

        /// <summary>How many groups the complete deltas of a view hold (the batch side must find as many).</summary>
        public int GroupsOf(string view) => _groups[view];

        public Task<IReadOnlyList<ViewGroup>> ReadDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, SpeedOffsetRange> ranges, CancellationToken cancellationToken)
        {
            var inRange = messages.Where(m => m.Event is not null && ranges.TryGetValue(m.Partition, out var r) && m.Offset >= r.From && m.Offset < r.To).ToList();
            var complete = new ViewAggregator(view);
            inRange.ForEach(m => complete.Add(m.Event!));
            _groups[view.Name] = complete.Drain().Count;
            var deltas = new ViewAggregator(view);
            foreach (var message in view.Name == missingIn ? inRange.Skip(1) : inRange)
            {
                deltas.Add(message.Event!);
            }

            return Task.FromResult(deltas.Drain());
        }

        public Task<IReadOnlyDictionary<int, long>> GetFirstOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<int, long>>(Enumerable.Range(0, Partitions).ToDictionary(p => p, _ => 0L));

        public Task<IReadOnlyDictionary<int, long>> GetWatermarksAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>>> GetWatermarksAsync(
            IReadOnlyDictionary<ViewDefinition, IReadOnlyDictionary<int, long>> limits, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task DeleteCoveredDeltasAsync(ViewDefinition view, IReadOnlyDictionary<int, long> watermarks, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class RecordingAuditStore : IDriftAuditStore
    {
        public List<DriftViewAudit> Audits { get; } = [];

        public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SaveAsync(DriftViewAudit audit, CancellationToken cancellationToken)
        {
            Audits.Add(audit);
            return Task.CompletedTask;
        }
    }
}
