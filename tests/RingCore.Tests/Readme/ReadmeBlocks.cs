namespace RingCore.Tests.Readme;

/// <summary>One fenced code block of a Markdown file, named by the heading above it.</summary>
internal sealed record ReadmeBlock(string Heading, string Code);

/// <summary>Reads the fenced code blocks out of Markdown text.</summary>
internal static class ReadmeBlocks
{
    /// <summary>
    /// The <c>```csharp</c> blocks, each exactly as printed, named by the nearest heading above it
    /// ("heading (2)" for a second block under the same heading).
    /// </summary>
    public static IReadOnlyList<ReadmeBlock> CSharp(string markdown)
    {
        var blocks = new List<ReadmeBlock>();
        string heading = "(top)";
        List<string>? code = null;
        bool otherFence = false;
        foreach (string line in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (code is not null)
            {
                if (line.TrimEnd() == "```")
                {
                    int same = blocks.Count(b => b.Heading == heading || b.Heading.StartsWith(heading + " (", StringComparison.Ordinal));
                    blocks.Add(new ReadmeBlock(same == 0 ? heading : $"{heading} ({same + 1})", string.Join("\n", code) + "\n"));
                    code = null;
                }
                else
                {
                    code.Add(line);
                }
            }
            else if (otherFence)
            {
                otherFence = line.TrimEnd() != "```";
            }
            else if (line.TrimEnd() is "```csharp" or "```cs" or "```c#")
            {
                code = [];
            }
            else if (line.StartsWith("```", StringComparison.Ordinal))
            {
                otherFence = true;
            }
            else if (line.StartsWith('#'))
            {
                heading = line.TrimStart('#').Trim();
            }
        }

        if (code is not null)
        {
            throw new InvalidOperationException($"The C# block under '{heading}' is not closed.");
        }

        return blocks;
    }
}
