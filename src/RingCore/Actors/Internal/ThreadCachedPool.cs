using System.Collections.Concurrent;

namespace RingCore.Actors;

/// <summary>
/// A bounded pool for objects rented on one thread and returned on another (a sender rents, an
/// actor's turn returns): one object cached per thread, with no synchronization, backed by a
/// shared queue of at most the limit the caller gives (docs/architecture.md, rules for contributors: bounded pools with Rent/Return).
/// </summary>
/// <typeparam name="T">The pooled type; each type has its own pool.</typeparam>
internal static class ThreadCachedPool<T>
    where T : class
{
    private static readonly ConcurrentQueue<T> Shared = new();
    private static int s_sharedCount;

    [ThreadStatic]
    private static T? t_cached;

    /// <summary>A pooled object, or null when the pool is empty.</summary>
    public static T? TryRent()
    {
        var item = t_cached;
        if (item is not null)
        {
            t_cached = null;
            return item;
        }

        if (Shared.TryDequeue(out item))
        {
            Interlocked.Decrement(ref s_sharedCount);
        }

        return item;
    }

    /// <summary>Keeps <paramref name="item"/> for a later rent; false when the pool already holds <paramref name="sharedLimit"/> and drops it.</summary>
    public static bool Return(T item, int sharedLimit)
    {
        if (t_cached is null)
        {
            t_cached = item;
            return true;
        }

        if (Interlocked.Increment(ref s_sharedCount) <= sharedLimit)
        {
            Shared.Enqueue(item);
            return true;
        }

        Interlocked.Decrement(ref s_sharedCount);
        return false;
    }
}
