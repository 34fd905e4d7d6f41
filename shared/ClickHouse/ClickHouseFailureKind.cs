namespace Lambda.Shared.ClickHouse;

/// <summary>What went wrong in a ClickHouse call.</summary>
public enum ClickHouseFailureKind
{
    /// <summary>The server answered with an error (bad SQL, unknown table, bad data, too many parts, ...).</summary>
    Server,

    /// <summary>No usable answer: connection refused or reset, response cut off. Transient.</summary>
    Network,

    /// <summary>The attempt took longer than its timeout. Transient.</summary>
    Timeout,

    /// <summary>The answer did not have the expected shape (wrong column count, unparsable header).</summary>
    Protocol,
}
