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
