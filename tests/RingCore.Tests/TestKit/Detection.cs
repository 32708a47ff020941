using RingCore.Membership;
using RingCore.Node;

namespace RingCore.Tests.TestKit;

/// <summary>
/// Node options for tests about something other than failure detection (quorums, siblings,
/// actors' placement): every node takes the simulated network's exact reachability at once
/// (<see cref="FailureDetectionMode.TransportReachability"/>), so a crash or a partition
/// reroutes the very next request. Tests of the detector itself, and tests that wait for it,
/// keep the default heartbeats (tests/RingCore.Tests/Membership).
/// </summary>
internal static class Detection
{
    /// <summary>The exact view, on options otherwise the defaults.</summary>
    public static RingNodeOptions Exact() => Exact(new RingNodeOptions());

    /// <summary>The exact view, on <paramref name="options"/> (changed and returned).</summary>
    public static RingNodeOptions Exact(RingNodeOptions options)
    {
        options.FailureDetection = new FailureDetectionOptions { Mode = FailureDetectionMode.TransportReachability };
        return options;
    }
}
