using System.Diagnostics;

namespace RingCore.Actors;

/// <summary>
/// An actor's mailbox: many producers, one consumer (the actor's current turn), no lock, and no
/// memory while idle. It lives inline in its activation (a mutable struct field, never copied).
/// </summary>
/// <remarks>
/// <para>Producers append to the tail segment; a full segment is followed by a pooled one. When a
/// turn finds the mailbox drained it seals the head segment and detaches it, so an idle actor
/// holds no segment: that is what keeps a million idle actors within a few hundred bytes each
/// (the actor mailbox issue). A few idle actors a vnode may keep an open segment with room
/// instead (<see cref="TryRelease(bool, out bool)"/>), so that one getting mail now and then does
/// not rent and return a segment per message; the vnode's sweep makes them give it back. Segments go back to the pool as soon as the consumer is done with
/// them; <see cref="MailboxSegment"/> explains why a producer still holding one cannot harm it.</para>
/// <para>Passivation closes the mailbox by swapping a sentinel into the empty tail: producers that
/// meet it get false and activate the actor afresh.</para>
/// </remarks>
internal struct Mailbox
{
    private static readonly MailboxSegment Closed = new();

    private MailboxSegment? _tail;
    private MailboxSegment? _head;

    // The segment a producer attached to an empty mailbox, for the consumer to start from: the
    // tail may have moved on by the time the consumer looks.
    private MailboxSegment? _first;

    /// <summary>Whether a segment is attached, i.e. mail may be waiting (safe to read from any thread).</summary>
    public readonly bool MayHaveMail => Volatile.Read(in _tail) is { } tail && !ReferenceEquals(tail, Closed);

    /// <summary>Appends <paramref name="envelope"/>; false when the mailbox is closed (the actor is passivating).</summary>
    public bool TryEnqueue(in Envelope envelope)
    {
        object item = MailboxLetter.ToSlot(envelope);
        var segment = Volatile.Read(ref _tail);
        while (true)
        {
            segment ??= AttachSegment();
            if (ReferenceEquals(segment, Closed))
            {
                MailboxLetter.Discard(item);
                return false;
            }

            int index = segment.TryReserve(ref _tail);
            if (index >= 0)
            {
                segment.Write(index, item);
                return true;
            }

            segment = index == MailboxSegment.Full ? FollowFullSegment(segment) : Volatile.Read(ref _tail);
        }
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
    /// Whether mail may wait that the consumer has not read (consumer only, after it gave up its
    /// turn): a segment attached since, or a slot reserved in the segment it kept.
    /// </summary>
    public readonly bool HasUnreadMail
    {
        get
        {
            var tail = Volatile.Read(in _tail);
            if (tail is null || ReferenceEquals(tail, Closed))
            {
                return false;
            }

            return _head is not { } head || !ReferenceEquals(tail, head) || head.HasUnread;
        }
    }

    /// <summary>Whether an idle mailbox still holds the segment its last turn kept.</summary>
    public readonly bool HoldsSegment => _head is not null;

    /// <summary>At the end of a turn that drained the mailbox: seals and detaches the head segment; false when mail is waiting.</summary>
    public bool TryRelease() => TryRelease(mayKeep: false, out _);

    /// <summary>
    /// At the end of a turn that drained the mailbox: keeps the head segment attached when
    /// <paramref name="mayKeep"/> and it has room (an actor that gets mail again soon then rents
    /// nothing), else seals and detaches it so the idle actor holds none. False when mail is
    /// waiting (the caller runs another turn); <paramref name="kept"/> says whether a segment stays.
    /// </summary>
    public bool TryRelease(bool mayKeep, out bool kept)
    {
        kept = false;
        while (true)
        {
            var head = _head ?? TakeFirst();
            if (head is null)
            {
                return true;
            }

            if (mayKeep && head.IsDrainedWithRoom())
            {
                Debug.Assert(ReferenceEquals(Volatile.Read(ref _tail), head), "Producers leave an open segment with room only for a successor once it is full.");
                kept = true;
                return true;
            }

            if (!head.SealIfDrained())
            {
                return false;
            }

            if (!RetireHead(head))
            {
                return true; // detached: the idle actor holds no segment
            }
        }
    }

    /// <summary>Closes a released mailbox for good (passivation); false when mail or a kept segment is attached.</summary>
    public bool CloseIfEmpty() => Interlocked.CompareExchange(ref _tail, Closed, null) is null;

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

    private MailboxSegment? FollowFullSegment(MailboxSegment full)
    {
        if (!full.TryEnterFollow(ref _tail))
        {
            return Volatile.Read(ref _tail); // moved on, detached or recycled meanwhile: start again from the tail
        }

        try
        {
            var next = LinkSuccessor(full);

            // The tail moves from a full segment to its successor. If it is elsewhere already
            // (moved on by another producer or the consumer), go wherever it is now.
            var observed = Interlocked.CompareExchange(ref _tail, next, full);
            return ReferenceEquals(observed, full) ? next : observed;
        }
        finally
        {
            full.ExitFollow();
        }
    }

    // The successor of a full segment: the one already linked, or a fresh one linked now.
    private static MailboxSegment LinkSuccessor(MailboxSegment full)
    {
        if (full.Next is { } next)
        {
            return next;
        }

        var fresh = MailboxSegmentPool.Rent();
        next = full.LinkNext(fresh);
        if (!ReferenceEquals(next, fresh))
        {
            MailboxSegmentPool.Return(fresh); // never published, so no one else can hold it
        }

        return next;
    }

    // The consumer has no head: start from the segment the last attach made first, waiting out
    // a producer between attaching it as the tail and recording it here (a few instructions).
    private MailboxSegment? TakeFirst()
    {
        var first = Volatile.Read(ref _first);
        if (first is null)
        {
            if (!MayHaveMail)
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

    // The head is exhausted: move to its successor, or detach it when it is also the tail, and
    // recycle it. True when a successor became the head.
    private bool RetireHead(MailboxSegment head)
    {
        Debug.Assert(head.ReadIndex >= head.ReadLimit, "Only an exhausted head is retired.");
        if (head.ReadLimit == MailboxSegment.Capacity)
        {
            // Full, not sealed: producers are moving on to a successor, or will. Detaching it
            // now would race them (the successor one of them links would be orphaned and the
            // next message would rent another), so help them instead: link the successor, move
            // the tail to it, and read on from there.
            var next = LinkSuccessor(head);
            Interlocked.CompareExchange(ref _tail, next, head);
            _head = next;
            MailboxSegmentPool.Return(head);
            return true;
        }

        bool detached = ReferenceEquals(Interlocked.CompareExchange(ref _tail, null, head), head);
        if (detached)
        {
            _head = null;
            MailboxSegmentPool.ReturnDetached(head);
            return false;
        }

        _head = head.Next;
        Debug.Assert(_head is not null, "The tail moved past the head, so the head has a successor.");
        MailboxSegmentPool.Return(head);
        return true;
    }
}
