using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Handoff;

/// <summary>The receiving side of <see cref="HandoffService"/>: merging the batches other nodes hand to this one, each object as a replica put.</summary>
internal sealed partial class HandoffService
{
    public void OnRequest(PeerRequest request, PeerFrame frame) => _ = ReceiveAsync(request, frame.Handoff);

    private async Task ReceiveAsync(PeerRequest request, HandoffMessage message)
    {
        if (_stopped)
        {
            return; // a stopped node answers nothing, like a dead process
        }

        if (message.BodyCase != HandoffMessage.BodyOneofCase.Batch)
        {
            _rpc.Malformed(request.From, $"a handoff message with no batch ({message.BodyCase})");
            return;
        }

        var batch = message.Batch;
        var ack = new HandoffAck();
        if (_membership.HasLeft)
        {
            // A node that has left hands nothing on and then stops: merging here would let the
            // sender (by a stale ring, or a hint for a primary that left since) drop its copy, the
            // only other one. Refused, the sender keeps it and tries again by its next ring.
            ack.Error = $"'{_self}' has left the cluster and takes no handoff";
            _rpc.Reply(request, new PeerFrame { Handoff = new HandoffMessage { Ack = ack } });
            return;
        }

        try
        {
            if (batch.Partition >= (uint)_routing.Ring.PartitionCount)
            {
                throw new InvalidDataException($"partition {batch.Partition} is not in a ring of {_routing.Ring.PartitionCount}");
            }

            var vnode = _vnodes.Get((int)batch.Partition);
            var merges = new List<(ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
                Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge)>(batch.Objects.Count);
            foreach (var item in batch.Objects)
            {
                merges.Add(_replication.IncomingReplica(item.Key.Memory, item.Siblings.Memory));
            }

            // Every object of the batch at once: a durable store commits them together instead of
            // one commit per object.
            await vnode.ReplicaPutBatchAsync(merges).ConfigureAwait(false);
            ack.Merged = (uint)merges.Count;

            // What arrived may itself be misplaced here (the plan changed since it was sent):
            // the next pass hands it on.
            vnode.MarkMisplaced();
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException)
        {
            _rpc.Malformed(request.From, error.Message);
            ack.Error = error.Message;
        }
        catch (Exception error)
        {
            ack.Error = $"{error.GetType().Name} on {_self}: {error.Message}";
        }

        _rpc.Reply(request, new PeerFrame { Handoff = new HandoffMessage { Ack = ack } });
    }
}
