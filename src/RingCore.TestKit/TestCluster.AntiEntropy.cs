using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Replication;
using RingCore.Storage;

namespace RingCore.TestKit;

/// <summary>Anti-entropy on the test cluster: damage beneath a node's stores, and waiting for exchanges to converge.</summary>
public sealed partial class TestCluster
{
    /// <summary>
    /// Damages a node's stores beneath it, the way bit rot or a lost file does: each stored
    /// object (of a bucket or an actor, never a reserved key) is picked with probability
    /// <paramref name="fraction"/> by a generator seeded with <paramref name="seed"/>, and is
    /// deleted or overwritten with bytes that fail to decode (<paramref name="damage"/>), directly
    /// in the store. The node is not told: its Merkle trees see the damage when they are next
    /// built (a restart, or the rebuild interval), and anti-entropy repairs it from the peers.
    /// </summary>
    /// <returns>The objects damaged, by partition and store key, in partition order.</returns>
    public async Task<IReadOnlyList<DamagedObject>> DamageStoresAsync(string name, double fraction, int seed, StoreDamage damage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1.0);
        IVNodeStoreProvider provider;
        lock (_lock)
        {
            provider = _stores.TryGetValue(name, out var stores) ? stores : throw new ArgumentException($"'{name}' is not a node of this cluster.", nameof(name));
        }

        var random = new Random(seed);
        var damaged = new List<DamagedObject>();
        foreach (int partition in (provider.StoredPartitions ?? []).Order())
        {
            var store = await provider.OpenAsync(partition).ConfigureAwait(false);
            var keys = new List<byte[]>();
            await foreach (var entry in store.FoldAsync().ConfigureAwait(false))
            {
                if (entry.Key.Length > 0 && entry.Key.Span[0] == UserKeyPrefix)
                {
                    keys.Add(entry.Key.ToArray());
                }
            }

            keys.Sort(static (x, y) => x.AsSpan().SequenceCompareTo(y));
            foreach (var key in keys)
            {
                var kind = damage == StoreDamage.DeleteOrCorrupt ? (random.Next(2) == 0 ? StoreDamage.Delete : StoreDamage.Corrupt) : damage;
                if (random.NextDouble() >= fraction)
                {
                    continue;
                }

                if (kind == StoreDamage.Delete)
                {
                    await store.DeleteAsync(key).ConfigureAwait(false);
                }
                else
                {
                    await store.PutAsync(key, new StoredObject(Rotten)).ConfigureAwait(false);
                }

                damaged.Add(new DamagedObject(partition, key, kind));
            }
        }

        return damaged;
    }

    /// <summary>
    /// The sibling set node <paramref name="name"/>'s store holds for <paramref name="key"/> of
    /// <paramref name="bucket"/>, read beneath the node (crashed or not) as an observer would read
    /// a disk: the node is not asked, so an object that fails to decode is not reported as
    /// corrupt (it reads as null, as absent), and a partition the node never stored is not opened.
    /// </summary>
    internal async Task<SiblingSet<ReadOnlyMemory<byte>>?> StoredSetAsync(string name, string bucket, byte[] key)
    {
        IVNodeStoreProvider provider;
        lock (_lock)
        {
            provider = _stores.TryGetValue(name, out var stores) ? stores : throw new ArgumentException($"'{name}' is not a node of this cluster.", nameof(name));
        }

        int partition = Ring.PartitionOf(KeyPosition.Of(System.Text.Encoding.UTF8.GetBytes(bucket), key));
        if (provider.StoredPartitions is not { } stored || !stored.Contains(partition))
        {
            return null;
        }

        var store = await provider.OpenAsync(partition).ConfigureAwait(false);
        if (await store.GetAsync(ReplicationService.StoreKey(bucket, key)).ConfigureAwait(false) is not { } held)
        {
            return null;
        }

        try
        {
            return SiblingSetCodec.Decode(held.Value);
        }
        catch (InvalidDataException)
        {
            return null; // rotten: as good as absent
        }
    }

    /// <summary>
    /// Whether <paramref name="damaged"/>, an object <see cref="DamageStoresAsync"/> damaged in
    /// node <paramref name="name"/>'s stores, is still as the damage left it: absent, or the
    /// rotten bytes (nothing has written the key there since). Read beneath the node.
    /// </summary>
    internal async Task<bool> IsStillDamagedAsync(string name, DamagedObject damaged)
    {
        IVNodeStoreProvider provider;
        lock (_lock)
        {
            provider = _stores[name];
        }

        var store = await provider.OpenAsync(damaged.Partition).ConfigureAwait(false);
        var held = await store.GetAsync(damaged.StoreKey).ConfigureAwait(false);
        return damaged.Damage == StoreDamage.Delete ? held is null : held is not null && held.Value.Span.SequenceEqual(Rotten);
    }

    // The first byte of every replicated object's store key (VNode.UserKeyPrefix).
    private const byte UserKeyPrefix = 0x01;

    // A format version no decoder knows: the object fails to decode, as a rotten one does.
    private static readonly byte[] Rotten = [0xFF, 0xDE, 0xAD, 0xBE, 0xEF];
}

/// <summary>What <see cref="TestCluster.DamageStoresAsync"/> does to each object it picks.</summary>
public enum StoreDamage
{
    /// <summary>Deletes it (a lost write, a lost file).</summary>
    Delete,

    /// <summary>Overwrites it with bytes that fail to decode (bit rot).</summary>
    Corrupt,

    /// <summary>One or the other, at random.</summary>
    DeleteOrCorrupt,
}

/// <summary>An object <see cref="TestCluster.DamageStoresAsync"/> damaged: its partition, its store key, and how.</summary>
public sealed record DamagedObject(int Partition, byte[] StoreKey, StoreDamage Damage);
