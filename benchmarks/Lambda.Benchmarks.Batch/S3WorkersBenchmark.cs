using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Dataset;
using Lambda.Shared.Lookups;
using Lambda.Shared.Storage;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// <c>--workers N --s3</c>: the recompute over the master dataset on object storage (the stack's S3-protocol server, a
/// fresh prefix; <c>master_commits</c> in a PostgreSQL schema of its own), with one worker and with N workers, each
/// worker with an empty local root of its own as on its own machine. Prints the store's write rate (the local dataset's
/// commits committed through <see cref="ObjectStoreCommitLog"/>, as the archiver does), its read rate (a snapshot loaded
/// into an empty root), beside plain copies of the same files with the S3 SDK (one PUT or GET per object, as
/// <c>aws s3 cp</c> does for small objects: one at a time, and 10 at a time like <c>aws s3 cp --recursive</c>); then the
/// recompute cold (every worker downloading) and warm, one worker against N, and whether both published the same days
/// and rows. The batch views go to one shared directory (several workers share <c>Batch:DatasetRoot</c> for them).
/// </summary>
internal static class S3WorkersBenchmark
{
    private const int PlainConcurrency = 10;

    /// <summary>Measures and prints; returns the number of differences between the runs' results (0 or 1).</summary>
    public static async Task<int> RunAsync(LambdaCatalog catalog, string root, Args settings, RecomputeRequest request, int workers)
    {
        await using var s3 = S3TestStore.Create();
        await using var schema = await PostgresTestSchema.CreateAsync("bench_s3");
        var scratch = Path.Combine(Path.GetTempPath(), $"lambda-s3-bench-{Guid.NewGuid():N}");
        try
        {
            var local = new CommitLog(root, "orders");
            var commits = local.ReadCommits();
            if (commits.Any(c => c.IsCompaction))
            {
                throw new InvalidOperationException("--s3 copies archive commits: run it on a dataset that was not compacted (without --compact)");
            }

            ObjectStoreCommitLogs Logs(string workerRoot) =>
                new(workerRoot, s3.Store, schema.DataSource, TimeSpan.FromHours(1), TimeProvider.System);

            // The write path: every commit's files written aside and committed, as the archiver does.
            var writer = Logs(Path.Combine(scratch, "writer")).Open("orders");
            long bytes = 0;
            var files = 0;
            var clock = Stopwatch.StartNew();
            foreach (var commit in commits)
            {
                foreach (var file in commit.Files)
                {
                    var aside = MasterDatasetLayout.Resolve(writer.Root, file.Path) + MasterDatasetLayout.TempSuffix;
                    Directory.CreateDirectory(Path.GetDirectoryName(aside)!);
                    File.Copy(MasterDatasetLayout.Resolve(root, file.Path), aside);
                    bytes += new FileInfo(aside).Length;
                    files++;
                }

                await writer.CommitAsync(commit, flushToDisk: false, CancellationToken.None);
            }

            var write = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var snapshot = await Logs(Path.Combine(scratch, "reader")).Open("orders").LoadSnapshotAsync(CancellationToken.None);
            var read = clock.Elapsed.TotalSeconds;
            var paths = commits.SelectMany(c => c.Files).Select(f => MasterDatasetLayout.Resolve(root, f.Path)).ToArray();
            var (plainPut, plainGet) = await PlainCopyAsync(s3.Options, paths, 1, Path.Combine(scratch, "plain-1"));
            var (plainPutParallel, plainGetParallel) = await PlainCopyAsync(s3.Options, paths, PlainConcurrency, Path.Combine(scratch, "plain-10"));
            double MiBps(double seconds) => bytes / 1048576.0 / seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

                object storage ({s3.Options.ServiceUrl}, {files:N0} files, {bytes / 1048576.0:F0} MiB, {snapshot.Rows:N0} rows):
                  write, {commits.Count:N0} archive commits (upload + master_commits row each): {write:F1} s = {MiBps(write):F1} MiB/s
                  read, a snapshot loaded into an empty root (one GET per file):          {read:F1} s = {MiBps(read):F1} MiB/s
                  plain SDK copy, 1 at a time:  PUT {plainPut:F1} s = {MiBps(plainPut):F1} MiB/s, GET {plainGet:F1} s = {MiBps(plainGet):F1} MiB/s
                  plain SDK copy, {PlainConcurrency} at a time: PUT {plainPutParallel:F1} s = {MiBps(plainPutParallel):F1} MiB/s, GET {plainGetParallel:F1} s = {MiBps(plainGetParallel):F1} MiB/s
                """));

            var options = Options.Create(settings.RecomputeOptions);
            var views = Path.Combine(scratch, "views");
            var storage = Options.Create(new BatchStorageOptions { DatasetRoot = views });
            var lookups = new FileLookupStore(views, TimeProvider.System);
            var store = new InMemoryRecomputeChunkStore(TimeProvider.System);
            ChunkWorker Worker(string workerRoot) => new(
                store, new ChunkExecutor(catalog, storage, options, new BatchViewWriter(), lookups, Logs(workerRoot)), options, TimeProvider.System, NullLogger<ChunkWorker>.Instance);
            var helpers = new InProcessChunkDispatcher(Worker(Path.Combine(scratch, "helper")), workers - 1);
            RecomputeEngine Engine(string workerRoot, ChunkWorker? chunks, IRecomputeChunkDispatcher? dispatcher) => new(
                catalog, storage, options, new ArchiveEndBoundaries(), new ManifestStore(views), new BatchViewWriter(),
                NullLogger<RecomputeEngine>.Instance, TimeProvider.System, lookups: lookups, chunks: chunks, dispatcher: dispatcher,
                datasets: Logs(workerRoot));
            var one = Engine(Path.Combine(scratch, "one"), null, null);
            var several = Engine(Path.Combine(scratch, "coordinator"), Worker(Path.Combine(scratch, "coordinator")), helpers);

            var oneTimes = new List<double>();
            var severalTimes = new List<double>();
            RecomputeResult? oneLast = null, severalLast = null;
            for (var i = 0; i <= settings.Repeat; i++)
            {
                clock.Restart();
                oneLast = await one.RunAsync(request, null, CancellationToken.None);
                oneTimes.Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                severalLast = await several.RunAsync(request, null, CancellationToken.None);
                await helpers.DrainAsync();
                severalTimes.Add(clock.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {i + 1}{(i == 0 ? " (cold: empty local roots)" : "")}: 1 worker {oneTimes[^1]:F2} s, {workers} workers {severalTimes[^1]:F2} s"));
            }

            var sameDays = severalLast!.Days.Select(d => (d.View, d.Day, d.Rows)).Order().SequenceEqual(oneLast!.Days.Select(d => (d.View, d.Day, d.Rows)).Order());
            var warmOne = Medians.Of(oneTimes.Skip(1).ToList());
            var warmSeveral = Medians.Of(severalTimes.Skip(1).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                recompute on object storage, {oneLast.RowsRead:N0} rows: cold 1 worker {oneTimes[0]:F2} s, {workers} workers {severalTimes[0]:F2} s; warm median 1 worker {warmOne:F2} s, {workers} workers {warmSeveral:F2} s; speed-up warm {warmOne / warmSeveral:F2}x on {Environment.ProcessorCount} cores, {oneLast.Days.Count} view-days
                same days and rows with {workers} workers on object storage: {(sameDays ? "yes" : "NO")}
                """));
            return sameDays ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>Uploads then downloads <paramref name="paths"/> with plain SDK calls, <paramref name="concurrency"/> at a time; returns both durations in seconds.</summary>
    private static async Task<(double Put, double Get)> PlainCopyAsync(StorageOptions options, string[] paths, int concurrency, string into)
    {
        using var client = S3ClientFactory.Create(options);
        var keys = paths.Select((_, i) => $"{options.Prefix}plain-{concurrency}/{i:D6}.parquet").ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency };
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, paths.Length, parallel, async (i, ct) =>
            await client.PutObjectAsync(new PutObjectRequest { BucketName = options.Bucket, Key = keys[i], FilePath = paths[i] }, ct));
        var put = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(into);
        clock.Restart();
        await Parallel.ForAsync(0, paths.Length, parallel, async (i, ct) =>
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = options.Bucket, Key = keys[i] }, ct);
            await response.WriteResponseStreamToFileAsync(Path.Combine(into, $"{i:D6}.parquet"), append: false, ct);
        });
        return (put, clock.Elapsed.TotalSeconds);
    }
}
