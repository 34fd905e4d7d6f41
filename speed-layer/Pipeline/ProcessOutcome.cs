namespace Lambda.SpeedLayer.Pipeline;

/// <summary>What <see cref="SpeedPipeline.Process"/> did with a message.</summary>
internal enum ProcessOutcome
{
    /// <summary>Parsed and folded into every view that had not yet stored its offset.</summary>
    Accepted,

    /// <summary>Rejected by the parser; sent to the dead-letter topic (unless a view had already stored its offset, which means it was sent before).</summary>
    Rejected,

    /// <summary>Every view had already stored this offset (a replay after a restart); nothing changed.</summary>
    Skipped,

    /// <summary>The topic or partition is not assigned to this pipeline; ignored.</summary>
    NotAssigned,
}
