namespace Lambda.Testing;

/// <summary>
/// Which ClickHouse the tests meet (LAMBDA_CLICKHOUSE_ENGINE). <c>scripts/lambda test</c> runs every
/// test once on <see cref="Debian"/> and the tests with the trait <c>Engine=ClickHouse</c> a second
/// time on <see cref="Current"/>.
/// </summary>
public enum ClickHouseEngine
{
    /// <summary>ClickHouse 18.16, the Debian package the stack starts (LAMBDA_CLICKHOUSE_URL); the default.</summary>
    Debian,

    /// <summary>ClickHouse 26.7 in the chDB server the stack starts (LAMBDA_CLICKHOUSE_CURRENT_URL); value <c>current</c>.</summary>
    Current,
}
