using RingCore.Protocol;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>A <see cref="RingState"/> on the wire (<see cref="RingMessage"/>) and back; reading validates as building any ring does.</summary>
internal static class RingCodec
{
    public static RingMessage Encode(RingState ring)
    {
        var message = new RingMessage
        {
            PartitionCount = (uint)ring.PartitionCount,
            ClusterId = ring.ClusterId,
            Version = ring.Version,
        };

        foreach (var (node, counter) in ring.Vector)
        {
            message.Vector.Add(new VectorEntry { Node = node, Counter = counter });
        }

        foreach (var member in ring.Members)
        {
            message.Members.Add(new MemberEntry { Name = member.Name, Status = (uint)member.Status });
        }

        foreach (int owner in ring.Owners)
        {
            message.Owners.Add((uint)owner);
        }

        foreach (var transfer in ring.Transfers)
        {
            message.Transfers.Add(Encode(transfer));
        }

        return message;
    }

    public static TransferEntry Encode(PendingTransfer transfer) =>
        new() { Partition = (uint)transfer.Partition, From = transfer.From, To = transfer.To, Kind = (uint)transfer.Kind };

    public static PendingTransfer Decode(TransferEntry entry) =>
        new(checked((int)entry.Partition), entry.From, entry.To, (TransferKind)entry.Kind);

    /// <summary>Reads a ring a peer sent.</summary>
    /// <exception cref="InvalidDataException">The message does not describe a valid ring (the message says why).</exception>
    public static RingState Decode(RingMessage message)
    {
        try
        {
            var members = message.Members.Select(m => new RingMember(m.Name, (MemberStatus)m.Status)).ToArray();
            if (message.PartitionCount > Ring.PartitionMath.MaxPartitionCount || message.Owners.Count != (int)message.PartitionCount)
            {
                throw new ArgumentException($"a ring of {message.PartitionCount} partitions with {message.Owners.Count} owners");
            }

            var owners = new string[message.Owners.Count];
            for (int i = 0; i < owners.Length; i++)
            {
                uint owner = message.Owners[i];
                owners[i] = owner < (uint)members.Length
                    ? members[owner].Name
                    : throw new ArgumentException($"partition {i} is owned by member {owner} of {members.Length}");
            }

            // The members travel in the sender's (sorted) order, so indexes mean the same here.
            return RingState.Restore((int)message.PartitionCount, message.ClusterId, message.Version,
                message.Vector.Select(v => KeyValuePair.Create(v.Node, v.Counter)), members, owners,
                message.Transfers.Select(Decode));
        }
        catch (Exception error) when (error is ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"a malformed ring: {error.Message}", error);
        }
    }
}
