using Lambda.Shared.ClickHouse;
using Lambda.Testing;

namespace Lambda.IntegrationTests.ClickHouse;

[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseRoundTripTests(ClickHouseFixture fixture) : IClassFixture<ClickHouseFixture>
{
    private const int RowCount = 100_000;

    private static readonly string[] Columns = ["id", "name", "delta", "ratio", "amount", "ts", "day", "payload"];

    private static readonly byte[] NastyBytes = [0x00, (byte)'\t', (byte)'\n', (byte)'\\', 0xFF, (byte)'\'', (byte)'\r', (byte)'N'];

    // ClickHouse 18.16 stores the full UInt32/UInt16 range but writes text for DateTime only up to
    // 2106-02-06 23:59:59 and for Date up to 2106-02-07 (its date table ends there; later values wrap).
    private const long MaxReadableDateTime = 4_294_943_999;
    private const int MaxReadableDate = 49_710;

    private sealed record Row(ulong Id, string Name, long Delta, double Ratio, decimal Amount, DateTime Ts, DateOnly Day, byte[] Payload);

    private static List<Row> GenerateRows(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["plain", "é€ 日本 🚀", "tab\there", "line\nbreak", @"back\slash", "quote'and\"", "\\N", ""];
        var rows = new List<Row>(count);
        for (var i = 0; i < count; i++)
        {
            var payload = new byte[random.Next(0, 48)];
            random.NextBytes(payload);
            if (i % 10 == 0)
            {
                payload = [.. NastyBytes, .. payload];
            }

            rows.Add(new Row(
                Id: (ulong)i,
                Name: names[i % names.Length] + i,
                Delta: i switch { 0 => long.MinValue, 1 => long.MaxValue, _ => random.NextInt64(long.MinValue, long.MaxValue) },
                Ratio: i == 2 ? double.Epsilon : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-10, 12)),
                Amount: random.NextInt64(-999_999_999_999_999, 999_999_999_999_999) / 100m,
                Ts: i switch
                {
                    0 => DateTime.UnixEpoch,
                    1 => DateTime.UnixEpoch.AddSeconds(MaxReadableDateTime),
                    _ => DateTime.UnixEpoch.AddSeconds(random.NextInt64(0, MaxReadableDateTime)),
                },
                Day: DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (i switch { 0 => 0, 1 => MaxReadableDate, _ => random.Next(0, MaxReadableDate) })),
                Payload: payload));
        }

        return rows;
    }

    private static void WriteRow(RowBinaryWriter w, Row row)
    {
        w.WriteUInt64(row.Id);
        w.WriteString(row.Name);
        w.WriteInt64(row.Delta);
        w.WriteFloat64(row.Ratio);
        w.WriteDecimal64(row.Amount, 2);
        w.WriteDateTime(row.Ts);
        w.WriteDate(row.Day);
        w.WriteString(row.Payload);
    }

    private async Task CreateTableAsync(string table)
    {
        await fixture.Client.ExecuteAsync(
            $"""
            CREATE TABLE {ClickHouseSql.QuoteIdentifier(table)}
            (
                id UInt64, name String, delta Int64, ratio Float64, amount Decimal(18, 2),
                ts DateTime, day Date, payload String
            )
            ENGINE = MergeTree ORDER BY id
            """);
    }

    [Fact]
    public async Task Hundred_thousand_rows_come_back_exactly()
    {
        var client = fixture.Client;
        var rows = GenerateRows(RowCount, seed: 20261125);
        await CreateTableAsync("round_trip");

        var sent = await client.InsertAsync("round_trip", Columns, rows, WriteRow);
        Assert.Equal(RowCount, sent);

        var totals = Assert.Single(await client.QueryRowsAsync(
            "SELECT count(), sum(id), sum(delta), sum(amount), sum(length(payload)), min(ts), max(ts), min(day), max(day), sum(ratio) FROM round_trip"));
        Assert.Equal((ulong)RowCount, totals.GetUInt64(0));
        Assert.Equal(rows.Aggregate(0UL, (s, r) => s + r.Id), totals.GetUInt64(1));
        Assert.Equal(rows.Aggregate(0L, (s, r) => unchecked(s + r.Delta)), totals.GetInt64(2));
        Assert.Equal(rows.Sum(r => r.Amount), totals.GetDecimal(3));
        Assert.Equal((ulong)rows.Sum(r => (long)r.Payload.Length), totals.GetUInt64(4));
        Assert.Equal(rows.Min(r => r.Ts), totals.GetDateTime(5));
        Assert.Equal(rows.Max(r => r.Ts), totals.GetDateTime(6));
        Assert.Equal(rows.Min(r => r.Day), totals.GetDate(7));
        Assert.Equal(rows.Max(r => r.Day), totals.GetDate(8));
        // Relative: a float sum depends on the order of addition, which differs between releases (26.7 adds in parallel).
        var ratioSum = rows.Sum(r => r.Ratio);
        Assert.Equal(ratioSum, totals.GetDouble(9), tolerance: Math.Abs(ratioSum) * 1e-12);

        // Every row, every field, byte for byte (the reader streams; nothing is buffered whole).
        var read = 0;
        await foreach (var row in client.QueryAsync($"SELECT {string.Join(", ", Columns)} FROM round_trip ORDER BY id"))
        {
            var expected = rows[read++];
            Assert.Equal(expected.Id, row.GetUInt64(0));
            Assert.Equal(expected.Name, row.GetString(1));
            Assert.Equal(expected.Delta, row.GetInt64(2));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Ratio), BitConverter.DoubleToInt64Bits(row.GetDouble(3)));
            Assert.Equal(expected.Amount, row.GetDecimal(4));
            Assert.Equal(expected.Ts, row.GetDateTime(5));
            Assert.Equal(expected.Day, row.GetDate(6));
            Assert.True(expected.Payload.AsSpan().SequenceEqual(row.GetSpan(7)), $"payload of row {expected.Id} differs");
        }

        Assert.Equal(RowCount, read);

        // The server's own view of the binary column agrees (hex computed in ClickHouse).
        var sample = await client.QueryRowsAsync("SELECT id, hex(payload) FROM round_trip WHERE id % 997 = 0 ORDER BY id");
        Assert.Equal(rows.Count(r => r.Id % 997 == 0), sample.Count);
        foreach (var row in sample)
        {
            Assert.Equal(Convert.ToHexString(rows[(int)row.GetUInt64(0)].Payload), row.GetString(1));
        }

        var nasty = await client.QueryScalarAsync<ulong>(
            $"SELECT count() FROM round_trip WHERE startsWith(payload, {ClickHouseSql.BinaryLiteral(NastyBytes)})");
        Assert.Equal((ulong)(RowCount / 10), nasty);
    }

    [Fact]
    public async Task Gzip_compressed_inserts_store_the_same_rows()
    {
        var rows = GenerateRows(20_000, seed: 7);
        await CreateTableAsync("plain_insert");
        await CreateTableAsync("gzip_insert");

        await fixture.Client.InsertAsync("plain_insert", Columns, rows, WriteRow);
        await fixture.Client.InsertAsync("gzip_insert", Columns, rows, WriteRow, new ClickHouseCallOptions { Compress = true });
        var gzipClient = fixture.CreateClient(fixture.Options(compress: true));
        await gzipClient.InsertAsync("gzip_insert", Columns, rows, WriteRow);

        const string Checksum = "SELECT count(), sum(cityHash64(id, name, delta, ratio, toString(amount), ts, day, payload)) FROM ";
        var plain = Assert.Single(await fixture.Client.QueryRowsAsync(Checksum + "plain_insert"));
        var gzip = Assert.Single(await fixture.Client.QueryRowsAsync(Checksum + "gzip_insert"));
        Assert.Equal(20_000UL, plain.GetUInt64(0));
        Assert.Equal(40_000UL, gzip.GetUInt64(0));
        Assert.Equal(unchecked(plain.GetUInt64(1) * 2), gzip.GetUInt64(1));
    }

    [Fact]
    public async Task Every_byte_value_survives_a_string_column()
    {
        var all = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        await fixture.Client.ExecuteAsync("CREATE TABLE all_bytes (k UInt8, b String) ENGINE = MergeTree ORDER BY k");
        await fixture.Client.InsertAsync("all_bytes", ["k", "b"], [all, all.Reverse().ToArray()], (w, bytes) =>
        {
            w.WriteUInt8(bytes[0]);
            w.WriteString(bytes);
        });

        var rows = await fixture.Client.QueryRowsAsync("SELECT k, b, hex(b) FROM all_bytes ORDER BY k");
        Assert.Equal(2, rows.Count);
        Assert.Equal(all, rows[0].GetBytes(1));
        Assert.Equal(all.Reverse(), rows[1].GetBytes(1));
        Assert.Equal(Convert.ToHexString(all), rows[0].GetString(2));
        Assert.Equal(all, await fixture.Client.QueryScalarAsync<byte[]>($"SELECT {ClickHouseSql.BinaryLiteral(all)}"));
    }

    [Fact]
    public async Task Edge_values_of_every_writer_type_are_stored_as_written()
    {
        var client = fixture.Client;
        await client.ExecuteAsync(
            """
            CREATE TABLE typed
            (
                k UInt8, i8 Int8, i16 Int16, i32 Int32, u16 UInt16, u32 UInt32, u64 UInt64, f32 Float32, f64 Float64,
                d32 Decimal(9, 4), d128 Decimal(38, 10), uuid UUID, fs FixedString(4), n Nullable(Int64),
                arr Array(UInt32), flag UInt8, s String
            )
            ENGINE = MergeTree ORDER BY k
            """);
        var uuid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        await client.InsertAsync("typed", [], async (w, ct) =>
        {
            foreach (var k in new byte[] { 0, 1 })
            {
                w.WriteUInt8(k);
                w.WriteInt8(k == 0 ? sbyte.MinValue : sbyte.MaxValue);
                w.WriteInt16(k == 0 ? short.MinValue : short.MaxValue);
                w.WriteInt32(k == 0 ? int.MinValue : int.MaxValue);
                w.WriteUInt16(k == 0 ? ushort.MinValue : ushort.MaxValue);
                w.WriteUInt32(k == 0 ? uint.MinValue : uint.MaxValue);
                w.WriteUInt64(k == 0 ? ulong.MinValue : ulong.MaxValue);
                w.WriteFloat32(k == 0 ? 1.5f : float.NegativeInfinity);
                w.WriteFloat64(k == 0 ? double.NaN : -0.1);
                w.WriteDecimal32(k == 0 ? -99999.9999m : 12.5m, 4);
                w.WriteDecimal128(k == 0 ? -9999999999999999999999999999m : 0.0000000001m, 10);
                w.WriteUuid(uuid);
                w.WriteFixedString("ab"u8, 4);
                if (k == 0)
                {
                    w.WriteNull();
                }
                else
                {
                    w.WriteNotNull();
                    w.WriteInt64(-42);
                }

                w.WriteArrayLength(k == 0 ? 0 : 3);
                for (var i = 0; i < (k == 0 ? 0 : 3); i++)
                {
                    w.WriteUInt32((uint)(i + 1) * 1_000_000_000);
                }

                w.WriteBoolean(k == 1);
                w.WriteString(k == 0 ? "" : "x");
                await w.FlushIfNeededAsync(ct);
            }
        });

        var rows = await client.QueryRowsAsync(
            "SELECT k, i8, i16, i32, u16, u32, u64, f32, f64, d32, d128, uuid, fs, n, arr, flag, s, toTypeName(d128) FROM typed ORDER BY k");
        var (min, max) = (rows[0], rows[1]);
        Assert.Equal([sbyte.MinValue, sbyte.MaxValue], rows.Select(r => r.GetInt64(1)));
        Assert.Equal([short.MinValue, short.MaxValue], rows.Select(r => r.GetInt64(2)));
        Assert.Equal([int.MinValue, int.MaxValue], rows.Select(r => r.GetInt32(3)));
        Assert.Equal([ushort.MinValue, ushort.MaxValue], rows.Select(r => r.GetUInt64(4)));
        Assert.Equal([uint.MinValue, uint.MaxValue], rows.Select(r => r.GetFieldValue<uint>(5)));
        Assert.Equal([ulong.MinValue, ulong.MaxValue], rows.Select(r => r.GetUInt64(6)));
        Assert.Equal(1.5, min.GetDouble(7));
        Assert.Equal(double.NegativeInfinity, max.GetDouble(7));
        Assert.True(double.IsNaN(min.GetDouble(8)));
        Assert.Equal(-0.1, max.GetDouble(8));
        Assert.Equal(-99999.9999m, min.GetDecimal(9));
        Assert.Equal(12.5m, max.GetDecimal(9));
        Assert.Equal(-9999999999999999999999999999m, min.GetDecimal(10));
        Assert.Equal(0.0000000001m, max.GetDecimal(10));
        Assert.Equal("Decimal(38, 10)", min.GetString(17));
        Assert.Equal(uuid, min.GetGuid(11));
        Assert.Equal("61620000", Convert.ToHexString(min.GetBytes(12)));
        Assert.True(min.IsNull(13));
        Assert.Equal(-42, max.GetFieldValue<long?>(13));
        Assert.Equal("[]", min.GetString(14));
        Assert.Equal("[1000000000,2000000000,3000000000]", max.GetString(14));
        Assert.False(min.GetBoolean(15));
        Assert.True(max.GetBoolean(15));
        Assert.Equal("", min.GetString(16));
        Assert.Equal("x", max.GetString(16));
    }

    [Fact]
    public async Task Aggregate_states_read_as_bytes_can_be_inserted_back_and_merged()
    {
        var client = fixture.Client;
        await client.ExecuteAsync(
            """
            CREATE TABLE states (k UInt8, users AggregateFunction(uniq, UInt64), total AggregateFunction(sum, UInt64))
            ENGINE = AggregatingMergeTree ORDER BY k
            """);

        // Two partial states per key, computed by the server, carried through C# as bytes.
        var partials = new List<(byte Key, byte[] Users, byte[] Total)>();
        foreach (var range in new[] { "number < 6000", "number >= 4000" })
        {
            foreach (var row in await client.QueryRowsAsync(
                $"SELECT toUInt8(number % 3) AS k, uniqState(toUInt64(number)), sumState(toUInt64(number)) FROM numbers(10000) WHERE {range} GROUP BY k ORDER BY k"))
            {
                partials.Add(((byte)row.GetInt32(0), row.GetBytes(1), row.GetBytes(2)));
            }
        }

        await client.InsertAsync("states", ["k", "users", "total"], partials, (w, p) =>
        {
            w.WriteUInt8(p.Key);
            w.WriteRaw(p.Users);
            w.WriteRaw(p.Total);
        });

        var merged = await client.QueryRowsAsync("SELECT k, uniqMerge(users), sumMerge(total) FROM states GROUP BY k ORDER BY k");
        var direct = await client.QueryRowsAsync(
            "SELECT toUInt8(number % 3) AS k, uniq(toUInt64(number)), sum(toUInt64(number) * (number >= 4000 AND number < 6000 ? 2 : 1)) FROM numbers(10000) GROUP BY k ORDER BY k");
        Assert.Equal(3, merged.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(direct[i].GetInt32(0), merged[i].GetInt32(0));
            Assert.Equal(direct[i].GetUInt64(1), merged[i].GetUInt64(1));
            Assert.Equal(direct[i].GetUInt64(2), merged[i].GetUInt64(2));
        }
    }

    [Fact]
    public async Task DateTime_columns_in_any_zone_read_back_as_the_same_utc_instant()
    {
        var client = fixture.Client;
        await client.ExecuteAsync(
            "CREATE TABLE zones (k UInt8, plain DateTime, tokyo DateTime('Asia/Tokyo'), ny DateTime('America/New_York')) ENGINE = MergeTree ORDER BY k");
        DateTime[] instants =
        [
            new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc),
            new(2026, 7, 1, 23, 59, 59, DateTimeKind.Utc),
            new(2026, 3, 8, 7, 30, 0, DateTimeKind.Utc), // one hour after New York's switch to daylight time
        ];
        await client.InsertAsync("zones", ["k", "plain", "tokyo", "ny"], instants.Select((t, i) => (i, t)), (w, x) =>
        {
            w.WriteUInt8((byte)x.i);
            w.WriteDateTime(x.t);
            w.WriteDateTime(x.t);
            w.WriteDateTime(x.t);
        });

        var rows = await client.QueryRowsAsync("SELECT k, plain, tokyo, ny FROM zones ORDER BY k");
        for (var i = 0; i < instants.Length; i++)
        {
            Assert.Equal(instants[i], rows[i].GetDateTime(1));
            Assert.Equal(instants[i], rows[i].GetDateTime(2));
            Assert.Equal(instants[i], rows[i].GetDateTime(3));
        }

        var filtered = await client.QueryScalarAsync<ulong>(
            $"SELECT count() FROM zones WHERE tokyo >= {ClickHouseSql.DateTimeLiteral(instants[0])}");
        Assert.Equal(1UL, filtered);
    }

    [Fact]
    public async Task Quoted_strings_and_identifiers_survive_the_server()
    {
        var client = fixture.Client;
        string[] values =
        [
            "it's", @"back\slash", @"\'", "'; DROP TABLE x; --", "tab\tnew\nline\rcr\0nul", "é€ 日本 🚀", "`backtick`",
            new string(Enumerable.Range(1, 127).Select(c => (char)c).ToArray()),
        ];
        foreach (var value in values)
        {
            Assert.Equal(value, await client.QueryScalarAsync<string>("SELECT " + ClickHouseSql.QuoteString(value)));
        }

        const string table = "we`ird tab\\le; --";
        const string column = "co`l 1";
        await client.ExecuteAsync(
            $"CREATE TABLE {ClickHouseSql.QuoteIdentifier(table)} ({ClickHouseSql.QuoteIdentifier(column)} String) ENGINE = MergeTree ORDER BY tuple()");
        await client.InsertAsync(table, [column], values, (w, v) => w.WriteString(v));
        var read = await client.QueryRowsAsync(
            $"SELECT {ClickHouseSql.QuoteIdentifier(column)} FROM {ClickHouseSql.QualifiedName(fixture.Database, table)} WHERE {ClickHouseSql.QuoteIdentifier(column)} = {ClickHouseSql.QuoteString(values[4])}");
        Assert.Equal(column, Assert.Single(read).Columns[0].Name);
        Assert.Equal(values[4], read[0].GetString(0));
    }

    // A ClickHouse server's HTTP feature (sessions) the chDB server does not have (see chdb-server/README.md): not run on it.
    [Trait("ClickHouseServer", "Required")]
    [Fact]
    public async Task A_session_keeps_temporary_tables_between_calls()
    {
        var client = fixture.Client;
        var session = new ClickHouseCallOptions { SessionId = "it-" + Guid.NewGuid().ToString("N"), SessionTimeout = TimeSpan.FromSeconds(30) };
        await client.ExecuteAsync("CREATE TEMPORARY TABLE scratch (x UInt32) ENGINE = Memory", session, CancellationToken.None);
        await client.InsertAsync("scratch", ["x"], Enumerable.Range(1, 1000), (w, x) => w.WriteUInt32((uint)x), session);

        Assert.Equal(500500UL, await client.QueryScalarAsync<ulong>("SELECT sum(x) FROM scratch", session));
        var outside = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryScalarAsync<ulong>("SELECT sum(x) FROM scratch"));
        Assert.Equal(60, outside.ErrorCode);
    }

    [Fact]
    public async Task Settings_and_reader_metadata_reach_the_caller()
    {
        var options = new ClickHouseCallOptions { Settings = new Dictionary<string, string> { ["max_threads"] = "1" }, QueryId = "it-" + Guid.NewGuid() };
        await using var reader = await fixture.Client.OpenReaderAsync(
            "SELECT value, toDecimal64(1.25, 2) AS d, 'x' AS s FROM system.settings WHERE name = 'max_threads'", options, CancellationToken.None);
        Assert.Equal(["value", "d", "s"], reader.Columns.Select(c => c.Name));
        Assert.Equal(["String", "Decimal(18, 2)", "String"], reader.Columns.Select(c => c.Type));
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("1", reader.Current.GetString(0));
        Assert.Equal(1.25m, reader.Current.GetDecimal(reader.Current.GetOrdinal("d")));
        Assert.False(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(1, reader.RowsRead);
    }
}
