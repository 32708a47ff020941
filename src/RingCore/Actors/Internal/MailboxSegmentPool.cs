namespace RingCore.Actors;

/// <summary>
/// Recycles mailbox segments across all mailboxes of the process, so actors going idle and busy
/// again allocate nothing. A segment is returned as soon as its consumer is done with it; its
/// incarnation keeps late producers out (<see cref="MailboxSegment"/>).
/// </summary>
internal static class MailboxSegmentPool
{
    // Segments kept for reuse, about 12 MiB (a segment of 64 one-reference slots is about 730
    // bytes): enough to absorb a backlog of a million messages, so a sender that outruns its actors for a while does not
    // allocate once the backlog has been seen (4,096 left a Tell allocating 7 to 15 B on average
    // in the throughput benchmark, 16,384 none with a thousand actors). Past it, returned segments
    // go to the GC. The pool only ever holds segments that a past backlog needed, and idle actors
    // hold none, so an application without backlogs never comes near it.
    private const int SharedLimit = 16384;

    public static MailboxSegment Rent() => ThreadCachedPool<MailboxSegment>.TryRent() ?? new MailboxSegment();

    /// <summary>Recycles a segment whose successor, if any, is still in use (or that was never published).</summary>
    public static void Return(MailboxSegment segment)
    {
        if (segment.TryReset(out _))
        {
            ThreadCachedPool<MailboxSegment>.Return(segment, SharedLimit);
        }
    }

    /// <summary>
    /// Recycles a segment the consumer detached while it was the tail, and the successor a
    /// producer may have linked to it meanwhile: that one never became the tail, so no one else
    /// holds it, and without this it would be left to the garbage collector.
    /// </summary>
    public static void ReturnDetached(MailboxSegment segment)
    {
        if (segment.TryReset(out var orphan))
        {
            ThreadCachedPool<MailboxSegment>.Return(segment, SharedLimit);
            if (orphan is not null)
            {
                Return(orphan);
            }
        }
    }
}
