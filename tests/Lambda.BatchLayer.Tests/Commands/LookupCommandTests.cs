using Lambda.BatchLayer.Commands;
using Lambda.Shared.Lookups;
using Lambda.BatchLayer.Tests.Dataset;

namespace Lambda.BatchLayer.Tests.Commands;

/// <summary>The <c>lookup NAME FILE</c> command over a dataset root on disk.</summary>
public sealed class LookupCommandTests : IDisposable
{
    private readonly TestDirectory _root = new("lookup-cli");

    public void Dispose() => _root.Dispose();

    private BatchCommandEnvironment Environment(TestConsole console) => new()
    {
        Console = console.Console,
        Configuration = new Dictionary<string, string?> { ["Batch:DatasetRoot"] = _root.Path },
    };

    private string File(string name, string text)
    {
        var path = Path.Combine(_root.Path, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_csv_file_becomes_the_next_version()
    {
        var csv = File("fx.csv", "currency,valid_from,rate_to_eur\nUSD,2026-01-01,0.92\nEUR,2026-01-01,1\n");
        var console = new TestConsole();

        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["lookup", "fx_rates", csv], Environment(console)));
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["lookup", "fx_rates", csv], Environment(new TestConsole())));

        Assert.Contains("Published lookup fx_rates version 1 (2 rows)", console.Output, StringComparison.Ordinal);
        var store = new FileLookupStore(_root.Path, TimeProvider.System);
        Assert.Equal(2L, await store.CurrentVersionAsync("fx_rates", default));
    }

    [Theory]
    [InlineData("nope", "country,region,currency\nUS,na,USD\n", "Lookup 'nope' is not in the catalog")]
    [InlineData("countries", "region,currency\nna,USD\n", "key column 'country' of lookup 'countries' is missing")]
    [InlineData("fx_rates", "currency,valid_from,rate_to_eur\nUSD,2026-01-01,x\n", "column 'rate_to_eur' is decimal(18,4); 'x' is not")]
    public async Task A_bad_file_exits_with_1_naming_the_problem_and_publishes_nothing(string lookup, string text, string message)
    {
        var console = new TestConsole();

        Assert.Equal(1, await BatchCommandLine.InvokeAsync(["lookup", lookup, File("bad.csv", text)], Environment(console)));

        Assert.Contains(message, console.Output.ReplaceLineEndings(string.Empty), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root.Path, FileLookupStore.FolderName, lookup)) && Directory.GetFiles(Path.Combine(_root.Path, FileLookupStore.FolderName, lookup), "v*").Length > 0);
    }

    [Fact]
    public async Task A_parquet_file_is_read_by_column_name()
    {
        var path = Path.Combine(_root.Path, "fx.parquet");
        await using (var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM (VALUES ('USD', DATE '2026-01-01', 0.92::DECIMAL(18,4)), ('GBP', DATE '2026-01-02', 1.17::DECIMAL(18,4))) t(currency, valid_from, rate_to_eur)) TO '{path}' (FORMAT PARQUET)";
            await command.ExecuteNonQueryAsync();
        }

        var console = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["lookup", "fx_rates", path], Environment(console)));

        var fx = Lambda.Testing.TestCatalogs.Default.Lookups.Single(l => l.Name == "fx_rates");
        var table = (await new FileLookupStore(_root.Path, TimeProvider.System).ReadVersionAsync(fx, 1, default))!;
        Assert.Equal(["GBP 2026-01-02 1.1700", "USD 2026-01-01 0.9200"],
            table.Rows.Select(r => $"{r.Keys[0].AsString()} {LookupValidFrom.Format(r.ValidFromMilliseconds!.Value, fx.Versioning)} {r.Values[0].ToCanonicalString()}").Order());
    }
}
