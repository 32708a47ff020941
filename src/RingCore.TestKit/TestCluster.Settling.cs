using RingCore.Node;
using RingCore.Ring;

namespace RingCore.TestKit;

/// <summary>Whether the test cluster has settled: waiting for it, what is left (rings, transfers, members, hints), and where objects are missing or misplaced.</summary>
public sealed partial class TestCluster
{
    /// <summary>
    /// Waits until the cluster has settled: every node that is up and has not left holds the same
    /// ring, no transfer is pending, no member is leaving or exiting, no node is still sending,
    /// every node's failure detector agrees with the network on who is up, and no up node holds
    /// objects for primaries that are up (hinted handoff has finished; hints for a crashed primary
    /// stay). Nodes that left the ring are stopped. Runs on <see cref="Time"/>, so in a
    /// simulation the wait is virtual.
    /// </summary>
    /// <exception cref="TimeoutException">Not settled within <paramref name="timeout"/> (the message says what is left).</exception>
    public async Task AwaitSettledAsync(TimeSpan timeout)
    {
        long started = Time.GetTimestamp();
        while (true)
        {
            await StopLeftNodesAsync().ConfigureAwait(false);
            string? unsettled = Unsettled() ?? Disagreements() ?? await UndeliveredAsync().ConfigureAwait(false);
            if (unsettled is null)
            {
                return;
            }

            if (Time.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"The cluster did not settle within {timeout}: {unsettled}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), Time).ConfigureAwait(false);
        }
    }

    /// <summary>Objects an up node holds for others whose primaries are all up: hinted handoff has not finished (null when none).</summary>
    private async Task<string?> UndeliveredAsync()
    {
        foreach (var name in Nodes)
        {
            if (!Network.IsCrashed(name) && (await Node(name).MisplacedAsync(deliverableOnly: true).ConfigureAwait(false)) is { Count: > 0 } misplaced)
            {
                return $"{name} still holds {misplaced.Count} objects for primaries that are up (first in partition {misplaced[0].Partition})";
            }
        }

        return null;
    }

    /// <summary>Why the cluster has not settled (membership and transfers; hinted handoff is looked at by <see cref="AwaitSettledAsync"/>); null when it has.</summary>
    public string? Unsettled()
    {
        RingNode[] up;
        lock (_lock)
        {
            up = [.. _nodes.Values.Where(node => !_crashed.Contains(node.Name) && !_left.Contains(node.Name) && !node.HasLeftRing)];
        }

        var members = up.Where(node => node.Ring.IndexOfMember(node.Name) >= 0 && node.Ring.Members.Length > 1 || up.Length == 1).ToArray();
        if (members.Length == 0)
        {
            return "no node is up";
        }

        var ring = members[0].Ring;
        foreach (var node in members)
        {
            if (node.Ring.ContentHash != ring.ContentHash || !node.Ring.Vector.OrderBy(e => e.Key).SequenceEqual(ring.Vector.OrderBy(e => e.Key)))
            {
                return $"{node.Name} holds ring version {node.Ring.Version} and {members[0].Name} version {ring.Version}";
            }

            if (node.RunningTransfers > 0)
            {
                return $"{node.Name} is sending {node.RunningTransfers} transfers";
            }
        }

        if (ring.Transfers.Length > 0)
        {
            return $"{ring.Transfers.Length} transfers pending (first: partition {ring.Transfers[0].Partition} from {ring.Transfers[0].From} to {ring.Transfers[0].To})";
        }

        if (ring.Members.FirstOrDefault(m => m.Status != MemberStatus.Valid) is { } moving)
        {
            return $"{moving.Name} is {moving.Status}";
        }

        foreach (var member in ring.Members)
        {
            lock (_lock)
            {
                if (!_nodes.ContainsKey(member.Name) || _left.Contains(member.Name))
                {
                    return $"{member.Name} is a member but no node of the cluster";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The primaries of <paramref name="key"/> in <paramref name="bucket"/> (by <see cref="Ring"/>)
    /// whose own replica does not hold it: empty when every primary has it, whatever reads would repair.
    /// </summary>
    public async Task<IReadOnlyList<string>> PrimariesLackingAsync(string bucket, string key)
    {
        var lacking = new List<string>();
        foreach (var primary in Node(UpMember()).PrimariesOf(bucket, key))
        {
            if (await Node(primary).ReadReplicaAsync(bucket, System.Text.Encoding.UTF8.GetBytes(key)).ConfigureAwait(false) is null)
            {
                lacking.Add(primary);
            }
        }

        return lacking;
    }

    /// <summary>
    /// Objects that nodes hold although their ring says they should not (a fallback's hints not
    /// handed back, a former owner's leftovers), as "node: partition p, N objects"; empty once
    /// hinted and ownership handoff have finished. Crashed nodes are not looked at.
    /// </summary>
    public async Task<IReadOnlyList<string>> MisplacedObjectsAsync()
    {
        var found = new List<string>();
        foreach (var name in Nodes)
        {
            if (Network.IsCrashed(name))
            {
                continue;
            }

            foreach (var group in (await Node(name).MisplacedAsync().ConfigureAwait(false)).GroupBy(entry => entry.Partition))
            {
                found.Add($"{name}: partition {group.Key}, {group.Count()} objects");
            }
        }

        return found;
    }

    private async Task StopLeftNodesAsync()
    {
        List<RingNode> left;
        lock (_lock)
        {
            left = [.. _nodes.Values.Where(node => node.HasLeftRing && !_left.Contains(node.Name) && !_crashed.Contains(node.Name))];
            foreach (var node in left)
            {
                _left.Add(node.Name);
            }
        }

        foreach (var node in left)
        {
            await node.StopAsync().ConfigureAwait(false);
        }
    }
}
