namespace Lambda.SpeedLayer.Flushing;

/// <summary>What the store holds for a batch, compared with what the batch expects (see <see cref="ViewFlushWriter"/>).</summary>
internal enum StoredState
{
    /// <summary>Every partition is exactly as the batch was cut: the insert is to be made.</summary>
    NotStored,

    /// <summary>Every partition ends at the batch's own last offset: an earlier attempt succeeded.</summary>
    AlreadyStored,
}
