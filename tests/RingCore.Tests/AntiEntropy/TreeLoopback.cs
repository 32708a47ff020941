using Google.Protobuf;
using RingCore.AntiEntropy;
using RingCore.Protocol;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// A peer's tree behind <see cref="RemoteTree"/>'s <c>send</c>, in process: the request frame is
/// serialized and parsed, answered from the tree the way a node's service answers
/// (<see cref="TreeAnswers"/>), and the reply is serialized and parsed back, so what
/// <see cref="RemoteTree"/> reads is what a wire would carry.
/// </summary>
internal static class TreeLoopback
{
    public static Func<PeerFrame, CancellationToken, Task<PeerFrame>> Serving(HashTree tree) =>
        (frame, _) => Task.FromResult(RoundTrip(Answer(tree, RoundTrip(frame))));

    private static PeerFrame RoundTrip(PeerFrame frame) => PeerFrame.Parser.ParseFrom(frame.ToByteArray());

    private static PeerFrame Answer(HashTree tree, PeerFrame frame)
    {
        var message = frame.Exchange;
        switch (message.BodyCase)
        {
            case ExchangeMessage.BodyOneofCase.Hashes:
            {
                var request = message.Hashes;
                var reply = new TreeHashesReply { Status = TreeStatus.TreeReady };
                reply.Hashes.AddRange(request.Root ? [tree.Root] : TreeAnswers.Children(tree, (int)request.Level, request.Parents.Select(parent => (int)parent).ToList()));
                return new PeerFrame { Exchange = new ExchangeMessage { HashesReply = reply } };
            }

            case ExchangeMessage.BodyOneofCase.Segments:
            {
                var reply = new SegmentsReply { Status = TreeStatus.TreeReady };
                foreach (var entries in TreeAnswers.Segments(tree, message.Segments.Segments.Select(segment => (int)segment).ToList()))
                {
                    reply.Counts.Add((uint)entries.Count);
                    reply.KeyHashes.AddRange(entries.Select(entry => entry.KeyHash));
                    reply.ObjectHashes.AddRange(entries.Select(entry => entry.ObjectHash));
                }

                return new PeerFrame { Exchange = new ExchangeMessage { SegmentsReply = reply } };
            }

            default:
                throw new InvalidOperationException($"the loopback answers no {message.BodyCase}");
        }
    }
}
