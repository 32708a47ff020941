using System.Diagnostics;
using RingCore.Actors;

namespace RingCore.Actors;

/// <summary>
/// A vnode's active actors by (type, key): an open-addressing hash table whose lookups take no
/// lock and allocate nothing, and whose changes (activation, passivation) take a lock.
/// </summary>
/// <remarks>
/// <para>Why not <c>ConcurrentDictionary</c>: its node per entry (key, value, next, hash) costs
/// about 64 bytes per actor, a quarter of the idle-actor budget (the actor mailbox issue: at most
/// 250 bytes). Here an actor costs one array slot at a load factor between 1/8 and 3/4, and the
/// activation is its own key. The key's ring position is already a 64-bit hash, so probing
/// starts at its low bits.</para>
/// <para>Lookups read a slot array without a lock; writers replace slots in place (a removed
/// actor leaves a tombstone) or publish a new array. A lookup racing a writer may miss an actor
/// added a moment ago, or find one that just passivated: <see cref="ActorTable.Deliver"/> handles both,
/// by activating under the lock (which looks again in the current array) and by retrying an
/// actor whose mailbox is closed.</para>
/// </remarks>
internal sealed class ActivationTable
{
    private const int MinimumCapacity = 16;

    private static readonly object Tombstone = new();

    private readonly Lock _lock = new();
    private object?[] _slots = new object?[MinimumCapacity];
    private int _count;
    private int _tombstones;

    /// <summary>Active actors now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The actor (<paramref name="type"/>, <paramref name="key"/>) if active; no lock, no allocation.</summary>
    public ActorActivation? Find(ActorType type, ReadOnlySpan<byte> key, ulong position) =>
        Find(Volatile.Read(ref _slots), type, key, position, out _);

    /// <summary>The active actor, or a new activation made by <paramref name="type"/> and added.</summary>
    public ActorActivation GetOrAdd(ActorType type, byte[] key, ulong position, ActorTable host)
    {
        var found = Find(type, key, position);
        if (found is not null)
        {
            return found;
        }

        lock (_lock)
        {
            found = Find(_slots, type, key, position, out _);
            if (found is not null)
            {
                return found;
            }

            if ((_count + _tombstones + 1) * 4 > _slots.Length * 3)
            {
                Rebuild(CapacityFor(_count + 1));
            }

            var activation = type.Activate(host, key, position);
            if (Insert(_slots, activation))
            {
                _tombstones--;
            }

            _count++;
            return activation;
        }
    }

    /// <summary>Removes exactly <paramref name="activation"/> (not a newer activation of the same actor).</summary>
    public bool Remove(ActorActivation activation)
    {
        lock (_lock)
        {
            var slots = _slots;
            int mask = slots.Length - 1;
            for (int i = (int)activation.Position & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
            {
                var slot = slots[i];
                if (slot is null)
                {
                    return false;
                }

                if (ReferenceEquals(slot, activation))
                {
                    Volatile.Write(ref slots[i], Tombstone);
                    _count--;
                    _tombstones++;
                    if (slots.Length > MinimumCapacity && _count * 8 < slots.Length)
                    {
                        Rebuild(CapacityFor(_count)); // give the memory of a mass passivation back
                    }

                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The actors active at the time of the call (a snapshot of the slot array; for sweeps, not hot paths).</summary>
    public IEnumerable<ActorActivation> Snapshot()
    {
        var slots = Volatile.Read(ref _slots);
        foreach (var slot in slots)
        {
            if (slot is ActorActivation activation)
            {
                yield return activation;
            }
        }
    }

    private static ActorActivation? Find(object?[] slots, ActorType type, ReadOnlySpan<byte> key, ulong position, out int probes)
    {
        int mask = slots.Length - 1;
        probes = 0;
        for (int i = (int)position & mask; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            var slot = Volatile.Read(ref slots[i]);
            if (slot is null)
            {
                return null;
            }

            if (slot is ActorActivation activation && activation.Is(type, key, position))
            {
                return activation;
            }
        }

        return null;
    }

    // A power of two with the load at most 1/2 right after a rebuild: the table then runs between
    // 3/8 and 3/4 full (10 to 21 bytes per actor), and shrinks once it falls under 1/8.
    private static int CapacityFor(int count)
    {
        int capacity = MinimumCapacity;
        while (capacity < count * 2)
        {
            capacity *= 2;
        }

        return capacity;
    }

    // True when the activation took a tombstone's slot.
    private static bool Insert(object?[] slots, ActorActivation activation)
    {
        int mask = slots.Length - 1;
        for (int i = (int)activation.Position & mask; ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot is null || ReferenceEquals(slot, Tombstone))
            {
                Volatile.Write(ref slots[i], activation);
                return slot is not null;
            }
        }
    }

    private void Rebuild(int capacity)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Only writers rebuild, under the lock.");
        var rebuilt = new object?[capacity];
        foreach (var slot in _slots)
        {
            if (slot is ActorActivation activation)
            {
                Insert(rebuilt, activation);
            }
        }

        _tombstones = 0;
        Volatile.Write(ref _slots, rebuilt); // readers of the old array still see a consistent table
    }
}
