// One Windows command line from separate arguments (the rules CommandLineToArgvW and the C
// runtime parse with), for ProcessStartInfo.Arguments: .NET Framework has no ArgumentList.
using System.Collections.Generic;
using System.Text;

namespace JumpCloudADI.ServiceHost
{
    public static class CommandLine
    {
        public static string Join(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (var argument in arguments)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }
                AppendQuoted(line, argument);
            }
            return line.ToString();
        }

        private static void AppendQuoted(StringBuilder line, string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
            {
                line.Append(argument);
                return;
            }
            line.Append('"');
            var backslashes = 0;
            foreach (var c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }
                if (c == '"')
                {
                    // Backslashes before a quote are doubled, and the quote escaped.
                    line.Append('\\', (backslashes * 2) + 1);
                }
                else
                {
                    line.Append('\\', backslashes);
                }
                backslashes = 0;
                line.Append(c);
            }
            // Backslashes before the closing quote are doubled.
            line.Append('\\', backslashes * 2);
            line.Append('"');
        }
    }
}
