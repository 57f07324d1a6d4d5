// The service host's own log: logs\service.log in the install folder, one line per event
// (UTC time, level, message). It holds the host's messages and the agent's stderr, which the
// engine scrubs of secrets before writing. Kept small: set aside as service.log.1 past 1 MiB.
using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace JumpCloudADI.ServiceHost
{
    public sealed class HostLog
    {
        private const long MaxBytes = 1024 * 1024;
        private const int MaxLineChars = 4000;
        private readonly object gate = new object();
        private readonly string file;
        private readonly Action<string> echo;

        public HostLog(string file, Action<string> echo)
        {
            this.file = file;
            this.echo = echo;
        }

        public string File
        {
            get { return file; }
        }

        public void Write(HostLogLevel level, string message)
        {
            var text = message ?? string.Empty;
            if (text.Length > MaxLineChars)
            {
                text = text.Substring(0, MaxLineChars) + "...";
            }
            var line = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) + " " + level.ToString().ToLowerInvariant() + " " + text.Replace("\r", " ").Replace("\n", " ");
            lock (gate)
            {
                if (echo != null)
                {
                    echo(line);
                }
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(file));
                    var info = new FileInfo(file);
                    if (info.Exists && info.Length > MaxBytes)
                    {
                        System.IO.File.Copy(file, file + ".1", true);
                        System.IO.File.Delete(file);
                    }
                    using (var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                    using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                    {
                        writer.Write(line);
                        writer.Write('\n');
                    }
                }
                catch (IOException)
                {
                    // The log must never stop the service; the Event Log still has the important lines.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        public void Info(string message)
        {
            Write(HostLogLevel.Info, message);
        }

        public void Warning(string message)
        {
            Write(HostLogLevel.Warning, message);
        }

        public void Error(string message)
        {
            Write(HostLogLevel.Error, message);
        }
    }
}
