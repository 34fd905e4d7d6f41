using Lambda.Shared.Events;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>One generated message: its bytes, the rejection reason it must get (null when valid) and its key.</summary>
internal sealed record GeneratedEvent(byte[] Value, RejectionReason? ExpectedRejection, string Key)
{
    public bool IsValid => ExpectedRejection is null;
}
