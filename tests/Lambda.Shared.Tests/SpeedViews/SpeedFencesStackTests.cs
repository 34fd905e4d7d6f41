using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;

namespace Lambda.Shared.Tests.SpeedViews;

/// <summary>The fencing rule as ClickHouse evaluates it (<see cref="SpeedFences.Condition"/>) selects exactly the rows the rule in C# lets count.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class SpeedFencesStackTests
{
    [Fact]
    public async Task The_condition_on_the_server_agrees_with_the_rule_row_by_row_on_random_tables()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(prefix: "speed_fences");
        var schema = SpeedTableSchema.For(TestCatalogs.RevenueByCountry);
        var table = ClickHouseSql.QualifiedName(db.Name, schema.TableName);
        await db.Client.ExecuteAsync(schema.CreateTableSql(db.Name), null, CancellationToken.None);
        var random = new Random(20261206);
        for (var round = 0; round < 5; round++)
        {
            await db.Client.ExecuteAsync($"TRUNCATE TABLE {table}", null, CancellationToken.None);
            var rows = Enumerable.Range(0, 400)
                .Select(i => (Id: i, Partition: random.Next(6), Token: (long)random.Next(0, 12), Last: (long)random.Next(0, 1_000)))
                .ToArray();
            var fences = new SpeedFences(Enumerable.Range(0, 10)
                .Select(_ => new SpeedFence(random.Next(4), random.Next(1, 12), random.Next(0, 1_000))));
            // first_offset holds the row's id: the test's own key, read back from the rows the server selects.
            await FencedSpeedRows.InsertAsync(db.Client, schema, rows.Select(r => (r.Partition, r.Token, (long)r.Id, r.Last)).ToArray());

            var selected = await db.Client.QueryRowsAsync($"SELECT `first_offset` FROM {table} WHERE {fences.Condition()} ORDER BY `first_offset`", null, CancellationToken.None);

            var expected = rows.Where(r => fences.Counts(r.Partition, r.Token, r.Last)).Select(r => (long)r.Id).ToArray();
            Assert.Equal(expected, selected.Select(r => r.GetInt64(0)));
            Assert.InRange(expected.Length, 1, rows.Length - 1);

            // The listed form (resume and verify reads): some partitions, each from a bound or whole, with and without fences.
            var listed = new Dictionary<int, long?> { [0] = random.Next(0, 1_000), [1] = null, [3] = random.Next(0, 600), [5] = random.Next(0, 1_000) };
            var listedCondition = fences.Condition(listed) ?? "1";
            var bounds = string.Join(" OR ", listed.Select(l => l.Value is { } b ? $"(`partition` = {l.Key} AND `last_offset` >= {b})" : $"`partition` = {l.Key}"));
            var selectedListed = await db.Client.QueryRowsAsync(
                $"SELECT `first_offset` FROM {table} WHERE ({bounds}) AND {listedCondition} ORDER BY `first_offset`", null, CancellationToken.None);
            var expectedListed = rows
                .Where(r => listed.TryGetValue(r.Partition, out var bound) && r.Last >= (bound ?? long.MinValue) && fences.Counts(r.Partition, r.Token, r.Last))
                .Select(r => (long)r.Id)
                .ToArray();
            Assert.Equal(expectedListed, selectedListed.Select(r => r.GetInt64(0)));
        }
    }
}
