using System.Diagnostics;

namespace RingCore.Actors;

/// <summary>
/// An actor's mailbox: many producers, one consumer (the actor's current turn), no lock, and no
/// memory while idle. It lives inline in its activation (a mutable struct field, never copied).
/// </summary>
/// <remarks>
/// <para>Producers pass a gate (an in-flight counter with a closed bit) and append to the tail
/// segment; a full segment is followed by a pooled one. When a turn finds the mailbox drained it
/// seals the head segment and detaches it, so an idle actor holds no segment: that is what keeps a
/// million idle actors within a few hundred bytes each (the actor mailbox issue).</para>
/// <para>The gate also says when a retired segment may be recycled: a producer reads the tail only
/// inside the gate, so once the tail no longer points at a segment and the in-flight count reads
/// zero, no producer can touch it again. If producers are in flight the segment is left to the GC
/// instead, which only happens under contention.</para>
/// <para>Passivation closes the gate for good: producers that meet it get false and activate the
/// actor afresh.</para>
/// </remarks>
internal struct Mailbox
{
    private const int ClosedBit = 1 << 30;

    private int _gate;
    private MailboxSegment? _tail;
    private MailboxSegment? _head;

    // The segment a producer attached to an empty mailbox, for the consumer to start from: the
    // tail may have moved on by the time the consumer looks.
    private MailboxSegment? _first;

    /// <summary>Whether a segment is attached, i.e. mail may be waiting (safe to read from any thread).</summary>
    public readonly bool MayHaveMail => Volatile.Read(in _tail) is not null;

    /// <summary>Appends <paramref name="envelope"/>; false when the gate is closed (the actor is passivating).</summary>
    public bool TryEnqueue(in Envelope envelope)
    {
        if ((Interlocked.Increment(ref _gate) & ClosedBit) != 0)
        {
            Interlocked.Decrement(ref _gate);
            return false;
        }

        var segment = Volatile.Read(ref _tail) ?? AttachSegment();
        while (!segment.TryAppend(envelope))
        {
            segment = FollowFullSegment(segment);
        }

        Interlocked.Decrement(ref _gate);
        return true;
    }

    /// <summary>Takes the next message (the consumer's turn only).</summary>
    public bool TryDequeue(out Envelope envelope)
    {
        while (true)
        {
            var head = _head ?? TakeFirst();
            if (head is null)
            {
                envelope = default;
                return false;
            }

            if (head.ReadIndex < head.ReadLimit)
            {
                return head.TryTake(out envelope);
            }

            if (!RetireHead(head))
            {
                envelope = default;
                return false;
            }
        }
    }

    /// <summary>
    /// At the end of a turn that drained the mailbox: seals and detaches the head segment so the
    /// idle actor holds none. False when mail arrived meanwhile (the caller runs another turn).
    /// </summary>
    public bool TryRelease()
    {
        while (true)
        {
            var head = _head ?? TakeFirst();
            if (head is null)
            {
                return true;
            }

            if (!head.SealAndCheckDrained())
            {
                return false;
            }

            if (!RetireHead(head))
            {
                return true; // detached: the idle actor holds no segment
            }
        }
    }

    /// <summary>Closes the gate and waits for producers already past it; true when no mail is attached.</summary>
    public bool CloseIfEmpty()
    {
        Interlocked.Or(ref _gate, ClosedBit);
        var spin = new SpinWait();
        while ((Volatile.Read(ref _gate) & ~ClosedBit) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1); // a producer inside the gate is a few instructions from leaving
        }

        if (Volatile.Read(ref _tail) is null)
        {
            return true;
        }

        Reopen();
        return false;
    }

    /// <summary>Opens a gate closed by <see cref="CloseIfEmpty"/> whose passivation was abandoned.</summary>
    public void Reopen() => Interlocked.And(ref _gate, ~ClosedBit);

    private MailboxSegment AttachSegment()
    {
        var fresh = MailboxSegmentPool.Rent();
        var current = Interlocked.CompareExchange(ref _tail, fresh, null);
        if (current is null)
        {
            Debug.Assert(Volatile.Read(ref _first) is null, "The consumer took the previous first segment before detaching the tail.");
            Volatile.Write(ref _first, fresh);
            return fresh;
        }

        MailboxSegmentPool.Return(fresh); // never published, so no one else can hold it
        return current;
    }

    private MailboxSegment FollowFullSegment(MailboxSegment full)
    {
        var next = full.Next;
        if (next is null)
        {
            var fresh = MailboxSegmentPool.Rent();
            next = full.LinkNext(fresh);
            if (!ReferenceEquals(next, fresh))
            {
                MailboxSegmentPool.Return(fresh);
            }
        }

        // The tail moves from a full segment to its successor, or the consumer detached the full
        // (sealed) segment and the tail is null or already a fresh one: append wherever it is now.
        var observed = Interlocked.CompareExchange(ref _tail, next, full);
        if (ReferenceEquals(observed, full))
        {
            return next;
        }

        return observed ?? AttachSegment();
    }

    // The consumer has no head: start from the segment the last attach made first, waiting out
    // a producer between attaching it as the tail and recording it here (a few instructions).
    private MailboxSegment? TakeFirst()
    {
        var first = Volatile.Read(ref _first);
        if (first is null)
        {
            if (Volatile.Read(ref _tail) is null)
            {
                return null;
            }

            var spin = new SpinWait();
            while ((first = Volatile.Read(ref _first)) is null)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        Volatile.Write(ref _first, null);
        _head = first;
        return first;
    }

    // The head is exhausted: move to its successor, or detach it when it is also the tail. True
    // when a successor became the head.
    private bool RetireHead(MailboxSegment head)
    {
        Debug.Assert(head.ReadIndex >= head.ReadLimit, "Only an exhausted head is retired.");
        bool detached = ReferenceEquals(Interlocked.CompareExchange(ref _tail, null, head), head);
        _head = detached ? null : head.Next;
        Debug.Assert(detached || _head is not null, "The tail moved past the head, so the head has a successor.");

        // The CompareExchange above fenced; a producer entering the gate from here on reads the new tail.
        if ((Volatile.Read(ref _gate) & ~ClosedBit) == 0)
        {
            MailboxSegmentPool.Return(head);
        }

        return !detached;
    }
}
