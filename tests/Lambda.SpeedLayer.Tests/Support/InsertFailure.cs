namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>How an injected insert failure behaves.</summary>
internal enum InsertFailure
{
    None,

    /// <summary>Fails transiently without storing anything.</summary>
    BeforeStoring,

    /// <summary>Stores everything, then fails transiently (the answer was lost).</summary>
    AfterStoring,
}
