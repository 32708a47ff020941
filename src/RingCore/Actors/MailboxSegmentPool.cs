using System.Collections.Concurrent;

namespace RingCore.Actors;

/// <summary>
/// Recycles mailbox segments across all mailboxes of the process, so actors going idle and busy
/// again allocate nothing (STYLE.md: bounded pools with Rent/Return). A segment is returned as
/// soon as its consumer is done with it; its incarnation keeps late producers out
/// (<see cref="MailboxSegment"/>).
/// </summary>
internal static class MailboxSegmentPool
{
    // Enough for every busy mailbox on a large node; past it, returned segments go to the GC.
    private const int SharedLimit = 4096;

    private static readonly ConcurrentQueue<MailboxSegment> Shared = new();
    private static int s_sharedCount;

    [ThreadStatic]
    private static MailboxSegment? t_cached;

    public static MailboxSegment Rent()
    {
        var segment = t_cached;
        if (segment is not null)
        {
            t_cached = null;
            return segment;
        }

        if (Shared.TryDequeue(out segment))
        {
            Interlocked.Decrement(ref s_sharedCount);
            return segment;
        }

        return new MailboxSegment();
    }

    public static void Return(MailboxSegment segment)
    {
        segment.Reset();
        if (t_cached is null)
        {
            t_cached = segment;
        }
        else if (Interlocked.Increment(ref s_sharedCount) <= SharedLimit)
        {
            Shared.Enqueue(segment);
        }
        else
        {
            Interlocked.Decrement(ref s_sharedCount);
        }
    }
}
