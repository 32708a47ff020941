using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.AntiEntropy;

/// <summary>The side asked: answers a peer's exchange requests from its own tree and store.</summary>
internal sealed partial class AntiEntropyService
{
    void IPeerService.OnRequest(PeerRequest request, PeerFrame frame)
    {
        var message = frame.Exchange;
        if (!request.ExpectsReply)
        {
            _rpc.Malformed(request.From, "an exchange request that expects no reply");
            return;
        }

        switch (message.BodyCase)
        {
            case ExchangeMessage.BodyOneofCase.Hashes:
                Reply(request, AnswerHashes(request.From, message.Hashes));
                break;
            case ExchangeMessage.BodyOneofCase.Segments:
                Reply(request, AnswerSegments(request.From, message.Segments));
                break;
            case ExchangeMessage.BodyOneofCase.Objects:
                _ = AnswerObjectsAsync(request, message.Objects);
                break;
            case ExchangeMessage.BodyOneofCase.Repair:
                _ = AnswerRepairAsync(request, message.Repair);
                break;
            default:
                _rpc.Malformed(request.From, $"an exchange message that is no request ({message.BodyCase})");
                break;
        }
    }

    /// <summary>
    /// The state of this node's tree of (<paramref name="partition"/>, <paramref name="n"/>) and
    /// the trees holding it (null with <see cref="TreeStatus.TreeReady"/>: the partition has no
    /// store here, so its tree is empty).
    /// </summary>
    private (TreeStatus Status, VNodeHashTrees? Trees) Resolve(int partition, int n)
    {
        var view = _routing.Current;
        if (!_options.Enabled || _membership.HasLeft || !IsPrimary(view, partition, n))
        {
            return (TreeStatus.TreeUnknown, null);
        }

        if (HandoffRuns(view.Ring, partition, n))
        {
            return (TreeStatus.TreeBusy, null);
        }

        if (!_vnodes.IsOpen(partition))
        {
            if (!_vnodes.PartitionsWithStores().Contains(partition))
            {
                return (TreeStatus.TreeReady, null);
            }

            Kick(); // data from an earlier run: build its trees
            return (TreeStatus.TreeNotBuilt, null);
        }

        var trees = (VNodeHashTrees)_vnodes.Get(partition).Trees!;
        if (!trees.IsReady)
        {
            Kick();
            return (TreeStatus.TreeNotBuilt, null);
        }

        return (TreeStatus.TreeReady, trees);
    }

    /// <summary>Reads the tree a request names, or says why not (a request naming no tree of this ring is malformed).</summary>
    private T? Answer<T>(string from, TreeId? id, Func<HashTree, T> read, out TreeStatus status)
        where T : class
    {
        status = TreeStatus.TreeUnknown;
        if (id is null || id.Partition >= (uint)_routing.Ring.PartitionCount || id.N == 0 || id.N > (uint)_routing.Current.MaxN)
        {
            _rpc.Malformed(from, $"an exchange request for no tree of this ring ({id})");
            return null;
        }

        (status, var trees) = Resolve((int)id.Partition, (int)id.N);
        if (status != TreeStatus.TreeReady)
        {
            return null;
        }

        try
        {
            var result = trees is null ? read(EmptyTree) : trees.Read((int)id.N, read);
            if (result is null)
            {
                status = TreeStatus.TreeNotBuilt; // a rebuild began since Resolve
            }

            return result;
        }
        catch (ArgumentOutOfRangeException error)
        {
            _rpc.Malformed(from, error.Message);
            status = TreeStatus.TreeUnknown;
            return null;
        }
    }

    private static readonly HashTree EmptyTree = new();

    private ExchangeMessage AnswerHashes(string from, TreeHashesRequest request)
    {
        var hashes = Answer(from, request.Tree, tree => request.Root ? [tree.Root] : TreeAnswers.Children(tree, (int)Math.Min(request.Level, int.MaxValue),
            request.Parents.Select(parent => (int)Math.Min(parent, int.MaxValue)).ToList()), out var status);
        var reply = new TreeHashesReply { Status = status };
        if (hashes is not null)
        {
            reply.Hashes.AddRange(hashes);
            if (request.Root)
            {
                Record((int)request.Tree.Partition, (int)request.Tree.N, exchanged: true, keysRepaired: 0); // a peer's exchange begins
            }
        }

        return new ExchangeMessage { HashesReply = reply };
    }

    private ExchangeMessage AnswerSegments(string from, SegmentsRequest request)
    {
        var segments = Answer(from, request.Tree, tree => TreeAnswers.Segments(tree, request.Segments.Select(segment => (int)Math.Min(segment, int.MaxValue)).ToList()), out var status);
        var reply = new SegmentsReply { Status = status };
        foreach (var entries in segments ?? [])
        {
            reply.Counts.Add((uint)entries.Count);
            foreach (var entry in entries)
            {
                reply.KeyHashes.Add(entry.KeyHash);
                reply.ObjectHashes.Add(entry.ObjectHash);
            }
        }

        return new ExchangeMessage { SegmentsReply = reply };
    }

    private async Task AnswerObjectsAsync(PeerRequest request, ExchangeObjectsRequest objects)
    {
        var reply = new ExchangeObjectsReply();
        try
        {
            var keys = Answer(request.From, objects.Tree, tree =>
            {
                var found = new List<byte[]>();
                foreach (ulong hash in objects.KeyHashes.Take(RemoteTree.KeysPerRequest))
                {
                    tree.AddKeysOf(hash, found);
                }

                return found;
            }, out var status);
            reply.Status = status;
            if (keys is not null && keys.Count > 0)
            {
                var vnode = _vnodes.Get((int)objects.Tree.Partition);
                int budget = Math.Min(_options.RepairBatchBytes, _rpc.MaxFrameBytes / 2);
                long bytes = 0;
                foreach (var key in keys)
                {
                    ulong hash = HashTree.KeyHashOf(key);
                    if (reply.Objects.Count > 0 && bytes >= budget)
                    {
                        if (!reply.Deferred.Contains(hash))
                        {
                            reply.Deferred.Add(hash);
                        }

                        continue;
                    }

                    if (await vnode.GetStoredAsync(key).ConfigureAwait(false) is not { } stored)
                    {
                        continue; // deleted since the segments were compared
                    }

                    if (reply.Objects.Count > 0 && bytes + key.Length + stored.Length > budget)
                    {
                        bytes = budget;
                        reply.Deferred.Add(hash);
                        continue;
                    }

                    bytes += key.Length + stored.Length;
                    reply.Objects.Add(new HandoffObject { Key = UnsafeByteOperations.UnsafeWrap(key), Siblings = UnsafeByteOperations.UnsafeWrap(stored) });
                }
            }
        }
        catch (Exception error) when (error is ObjectDisposedException or OperationCanceledException)
        {
            return; // the node stopped: the asker's request times out
        }
        catch (Exception error) when (error is IOException)
        {
            reply.Status = TreeStatus.TreeNotBuilt; // the store failed to open or read: not now
        }

        Reply(request, new ExchangeMessage { ObjectsReply = reply });
    }

    private async Task AnswerRepairAsync(PeerRequest request, ExchangeRepair repair)
    {
        var reply = new ExchangeRepairReply();
        try
        {
            var id = repair.Tree;
            if (id is null || id.Partition >= (uint)_routing.Ring.PartitionCount || id.N == 0 || id.N > (uint)_routing.Current.MaxN)
            {
                throw new InvalidDataException($"a repair for no tree of this ring ({id})");
            }

            if (Resolve((int)id.Partition, (int)id.N).Status == TreeStatus.TreeUnknown)
            {
                // Not a primary of it (any more): the objects would be misplaced here.
                reply.Error = $"{_self} serves no tree of partition {id.Partition} with N {id.N}";
                Reply(request, new ExchangeMessage { RepairReply = reply });
                return;
            }

            var merges = new List<(ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
                Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge)>(repair.Objects.Count);
            foreach (var item in repair.Objects)
            {
                var merge = _replication.IncomingReplica(item.Key.Memory, item.Siblings.Memory);
                if (merge.Set.AnonymousCount > 0)
                {
                    // Stored sets give every value a dot; merging values without one is not
                    // order-independent, so replicas could repair each other forever.
                    throw new InvalidDataException("a repaired set holds values without a dot");
                }

                merges.Add(merge);
            }

            if (merges.Count > 0)
            {
                reply.Written = (uint)await _vnodes.Get((int)id.Partition).ReplicaPutBatchAsync(merges).ConfigureAwait(false);
                Record((int)id.Partition, (int)id.N, exchanged: false, (int)reply.Written);
            }
        }
        catch (InvalidDataException error)
        {
            _rpc.Malformed(request.From, error.Message);
            reply.Error = error.Message;
        }
        catch (Exception error) when (error is ObjectDisposedException or OperationCanceledException)
        {
            return; // the node stopped: the asker's request times out and the next round repairs
        }
        catch (Exception error)
        {
            reply.Error = $"{error.GetType().Name} on {_self}: {error.Message}";
        }

        Reply(request, new ExchangeMessage { RepairReply = reply });
    }

    private void Reply(PeerRequest request, ExchangeMessage message) => _rpc.Reply(request, new PeerFrame { Exchange = message });
}
