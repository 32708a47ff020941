namespace RingCore.Client;

/// <summary>
/// Quorum overrides for one request (riak's r, w, pr, pw); a value left null takes the bucket's
/// default on the node.
/// </summary>
public sealed record RingQuorum
{
    /// <summary>Replies a read waits for.</summary>
    public int? R { get; init; }

    /// <summary>Acknowledgements a write waits for.</summary>
    public int? W { get; init; }

    /// <summary>Primary replies a read needs.</summary>
    public int? PR { get; init; }

    /// <summary>Primary acknowledgements a write needs.</summary>
    public int? PW { get; init; }

    /// <summary>The message sent, or null when nothing is overridden.</summary>
    internal RingCore.Grpc.Client.Quorum? ToMessage()
    {
        if (R is null && W is null && PR is null && PW is null)
        {
            return null;
        }

        return new RingCore.Grpc.Client.Quorum { R = Count(R, nameof(R)), W = Count(W, nameof(W)), Pr = Count(PR, nameof(PR)), Pw = Count(PW, nameof(PW)) };
    }

    private static uint Count(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"RingQuorum.{name} must be at least 1, or null for the bucket's default.");
        }

        return (uint)(value ?? 0);
    }
}
