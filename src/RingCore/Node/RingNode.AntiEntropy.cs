using RingCore.AntiEntropy;

namespace RingCore.Node;

/// <summary>Active anti-entropy on a node (riak-admin aae-status).</summary>
public sealed partial class RingNode
{
    /// <summary>
    /// Every Merkle tree this node keeps for a preference list it is a primary of, by partition
    /// and N: whether it is built, when, its key count, and its exchanges so far (when the last
    /// one finished, keys repaired in all). Empty when anti-entropy is off.
    /// </summary>
    public IReadOnlyList<AntiEntropyTreeStatus> AntiEntropyStatus() =>
        AntiEntropyEnabled ? _antiEntropy.Status() : [];

    /// <summary>Whether this node keeps hash trees and exchanges them (<see cref="AntiEntropyOptions.Enabled"/>).</summary>
    public bool AntiEntropyEnabled => _options.AntiEntropy.Enabled;

    /// <summary>Runs one round of exchanges now (the TestKit's and tests' handle; the interval runs them otherwise).</summary>
    internal Task<ExchangeRound> ExchangeRoundAsync() => _antiEntropy.ExchangeRoundAsync();

    /// <summary>Builds now the trees that are due (the TestKit's handle).</summary>
    internal Task BuildTreesAsync() => _antiEntropy.BuildTreesAsync();

    /// <summary>The last round of exchanges this node finished.</summary>
    internal ExchangeRound? LastExchangeRound => _antiEntropy.LastRound;
}
