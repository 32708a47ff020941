using RingCore.Actors;

namespace RingCore.Tests.Actors;

public sealed class MailboxTests
{
    [Fact]
    public void Messages_come_out_in_order_across_segments_and_a_drained_mailbox_holds_no_segment()
    {
        var box = new MailboxHolder();
        Assert.False(box.Mailbox.MayHaveMail);
        int count = MailboxSegment.Capacity * 5 + 3;
        for (int i = 0; i < count; i++)
        {
            Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell(i)));
        }

        Assert.True(box.Mailbox.MayHaveMail);
        for (int i = 0; i < count; i++)
        {
            Assert.True(box.Mailbox.TryDequeue(out var envelope));
            Assert.Equal(i, envelope.Message);
        }

        Assert.False(box.Mailbox.TryDequeue(out _));
        Assert.True(box.Mailbox.TryRelease());
        Assert.False(box.Mailbox.MayHaveMail);

        // Usable again after the release, starting from the new first message.
        Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell("again")));
        Assert.True(box.Mailbox.TryDequeue(out var next));
        Assert.Equal("again", next.Message);
    }

    [Fact]
    public void A_kept_segment_stays_attached_takes_the_next_messages_and_is_given_back_when_full_or_dropped()
    {
        var box = new MailboxHolder();
        for (int i = 0; i < MailboxSegment.Capacity + 4; i++)
        {
            box.Mailbox.TryEnqueue(Envelope.Tell(i));
            Assert.True(box.Mailbox.TryDequeue(out var envelope));
            Assert.Equal(i, envelope.Message);
            Assert.True(box.Mailbox.TryRelease(mayKeep: true, out bool kept));
            Assert.False(box.Mailbox.HasUnreadMail);

            // A segment with room stays; the one a message filled is retired and the successor the
            // consumer linked for the producers stays in its place.
            Assert.True(kept);
            Assert.True(box.Mailbox.HoldsSegment);
        }

        box.Mailbox.TryEnqueue(Envelope.Tell("late")); // lands in the kept segment after the turn gave up
        Assert.True(box.Mailbox.HasUnreadMail);
        Assert.True(box.Mailbox.TryDequeue(out var late));
        Assert.Equal("late", late.Message);

        Assert.False(box.Mailbox.CloseIfEmpty()); // a kept segment is attached: give it back first
        Assert.True(box.Mailbox.TryRelease(mayKeep: false, out bool keptAtDrop));
        Assert.False(keptAtDrop);
        Assert.False(box.Mailbox.HoldsSegment);
        Assert.True(box.Mailbox.CloseIfEmpty());
    }

    [Fact]
    public void A_release_that_finds_mail_keeps_it_and_says_so()
    {
        var box = new MailboxHolder();
        box.Mailbox.TryEnqueue(Envelope.Tell(1));
        Assert.True(box.Mailbox.TryDequeue(out _));
        box.Mailbox.TryEnqueue(Envelope.Tell(2)); // arrives after the consumer's last look
        Assert.False(box.Mailbox.TryRelease());
        Assert.True(box.Mailbox.TryDequeue(out var envelope));
        Assert.Equal(2, envelope.Message);

        // The sealed segment sends later messages to a fresh one; nothing is skipped.
        box.Mailbox.TryEnqueue(Envelope.Tell(3));
        Assert.True(box.Mailbox.TryDequeue(out envelope));
        Assert.Equal(3, envelope.Message);
        Assert.True(box.Mailbox.TryRelease());
    }

    [Fact]
    public void A_closed_mailbox_refuses_mail_and_closing_fails_while_mail_waits()
    {
        var box = new MailboxHolder();
        box.Mailbox.TryEnqueue(Envelope.Tell(1));
        Assert.False(box.Mailbox.CloseIfEmpty()); // still open: the message must be served first
        Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell(2)));
        Assert.True(box.Mailbox.TryDequeue(out _));
        Assert.True(box.Mailbox.TryDequeue(out _));
        Assert.True(box.Mailbox.TryRelease());

        Assert.True(box.Mailbox.CloseIfEmpty());
        Assert.False(box.Mailbox.TryEnqueue(Envelope.Tell(3)));
        Assert.False(box.Mailbox.MayHaveMail);
    }

    [Fact]
    public async Task Four_producers_and_a_releasing_consumer_lose_duplicate_and_reorder_nothing()
    {
        // The consumer drains and releases as a turn does, so segments are sealed, detached,
        // recycled and re-attached while producers race to append.
        const int producers = 4;
        const int perProducer = 200_000;
        var box = new MailboxHolder();
        var messages = Enumerable.Range(0, producers).Select(p => Enumerable.Range(0, perProducer).Select(i => (object)(p, i)).ToArray()).ToArray();
        var next = new int[producers];
        int received = 0, releases = 0;
        var consumer = Task.Run(() =>
        {
            while (received < producers * perProducer)
            {
                while (box.Mailbox.TryDequeue(out var envelope))
                {
                    var (producer, sequence) = ((int, int))envelope.Message;
                    Assert.Equal(next[producer], sequence);
                    next[producer]++;
                    received++;
                }

                if (box.Mailbox.TryRelease())
                {
                    releases++;
                }
            }
        });
        var senders = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            foreach (var message in messages[p])
            {
                Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell(message)));
            }
        })).ToArray();

        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromMinutes(1));
        await consumer.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(next, count => Assert.Equal(perProducer, count));
        Assert.False(box.Mailbox.TryDequeue(out _));
        Assert.True(box.Mailbox.TryRelease());
        Assert.False(box.Mailbox.MayHaveMail);
        Assert.True(releases > 0, "the consumer never found the mailbox drained, so the release path went untested");
    }

    [Fact]
    public void Asks_timer_ticks_and_flushes_keep_their_reply_token_and_kind_between_plain_tells()
    {
        var box = new MailboxHolder();
        var sink = new RecordingSink();
        var sent = new[]
        {
            Envelope.Tell("tell"),
            new Envelope("ask", sink, 41, EnvelopeKind.User),
            new Envelope("tick", null, 0, EnvelopeKind.Timer),
            Envelope.Tell("tell again"),
            new Envelope("flush", null, 0, EnvelopeKind.Flush),
            new Envelope("second ask", sink, 42, EnvelopeKind.User),
        };

        // Twice over, so the second round travels in letters the first round returned to the pool.
        for (int round = 0; round < 2; round++)
        {
            foreach (var envelope in sent)
            {
                Assert.True(box.Mailbox.TryEnqueue(envelope));
            }

            foreach (var expected in sent)
            {
                Assert.True(box.Mailbox.TryDequeue(out var received));
                Assert.Equal(expected, received);
            }
        }

        Assert.False(box.Mailbox.TryDequeue(out _));
        sent[1].Complete("reply");
        Assert.Equal((41, "reply"), sink.Completed.Single());
    }

    [Fact]
    public void An_ask_refused_by_a_closed_mailbox_is_not_delivered_later()
    {
        var box = new MailboxHolder();
        Assert.True(box.Mailbox.CloseIfEmpty());
        Assert.False(box.Mailbox.TryEnqueue(new Envelope("ask", new RecordingSink(), 7, EnvelopeKind.User)));
        Assert.False(box.Mailbox.TryDequeue(out _));
    }

    [Fact]
    public void A_consumer_that_drains_a_full_segment_moves_on_to_its_successor_instead_of_detaching_it()
    {
        var box = new MailboxHolder();
        for (int i = 0; i < MailboxSegment.Capacity; i++)
        {
            Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell(i)));
        }

        for (int i = 0; i < MailboxSegment.Capacity; i++)
        {
            Assert.True(box.Mailbox.TryDequeue(out _));
        }

        // The full head was exhausted with producers about to move on: the consumer linked the
        // successor and reads on from it, so nothing a producer links meanwhile is orphaned.
        Assert.False(box.Mailbox.TryDequeue(out _));
        Assert.True(box.Mailbox.HoldsSegment);
        Assert.True(box.Mailbox.MayHaveMail);

        Assert.True(box.Mailbox.TryEnqueue(Envelope.Tell("next")));
        Assert.True(box.Mailbox.TryDequeue(out var next));
        Assert.Equal("next", next.Message);
        Assert.True(box.Mailbox.TryRelease());
        Assert.False(box.Mailbox.MayHaveMail);
    }

    [Fact]
    public void A_segment_a_producer_is_following_is_not_recycled_and_a_recycled_one_cannot_be_followed()
    {
        var segment = new MailboxSegment();
        MailboxSegment? tail = segment;
        for (int i = 0; i < MailboxSegment.Capacity; i++)
        {
            int index = segment.TryReserve(ref tail);
            Assert.Equal(i, index);
            segment.Write(index, i);
        }

        Assert.Equal(MailboxSegment.Full, segment.TryReserve(ref tail));
        Assert.True(segment.TryEnterFollow(ref tail));
        var successor = new MailboxSegment();
        Assert.Same(successor, segment.LinkNext(successor));

        // Drained and retired while the producer is still following: it must not go back to the pool.
        for (int i = 0; i < MailboxSegment.Capacity; i++)
        {
            Assert.True(segment.TryTake(out _));
        }

        Assert.False(segment.TryReset(out var whileFollowed));
        Assert.Null(whileFollowed);

        segment.ExitFollow();
        Assert.True(segment.TryReset(out var formerNext));
        Assert.Same(successor, formerNext); // handed back, for a detaching consumer to reclaim
        Assert.Null(segment.Next);

        // Recycled and attached again as the tail, but not full in its new incarnation: a producer
        // that saw the old one full must not move the tail past it (the ABA the guard prevents).
        Assert.False(segment.TryEnterFollow(ref tail));
        Assert.Equal(0, segment.TryReserve(ref tail));
    }

    private sealed class RecordingSink : IReplySink
    {
        public List<(int Token, object? Reply)> Completed { get; } = [];

        public void Complete(int token, object? reply) => Completed.Add((token, reply));

        public void Fail(int token, Exception exception) => throw new InvalidOperationException("not expected", exception);
    }

    // The mailbox is a mutable struct meant to live in a field; a class holds it the way an activation does.
    private sealed class MailboxHolder
    {
        public Mailbox Mailbox;
    }
}
