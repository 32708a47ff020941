namespace RingCore.Actors;

/// <summary>
/// Recycles mailbox segments across all mailboxes of the process, so actors going idle and busy
/// again allocate nothing. A segment is returned as soon as its consumer is done with it; its
/// incarnation keeps late producers out (<see cref="MailboxSegment"/>).
/// </summary>
internal static class MailboxSegmentPool
{
    // Enough for the backlogs of many busy mailboxes (about 3 MiB); past it, returned segments
    // go to the GC.
    private const int SharedLimit = 4096;

    public static MailboxSegment Rent() => ThreadCachedPool<MailboxSegment>.TryRent() ?? new MailboxSegment();

    public static void Return(MailboxSegment segment)
    {
        segment.Reset();
        ThreadCachedPool<MailboxSegment>.Return(segment, SharedLimit);
    }
}
