// Runs and supervises the agent process; independent of ServiceBase, so the same code runs as the
// Windows service (AgentService) and in console mode (ConsoleHost, also under .NET on Linux).
//   Start: <folder>\jcadi-engine.exe run --config <folder>\agent.json --stop-on-stdin-close, with
//          stdin, stdout and stderr redirected, no window, the folder as working directory. No
//          secret is on its command line or in its environment (the engine reads its config).
//   Stop:  closes the agent's stdin (its graceful stop: the operation in flight finishes, the
//          state is saved, exit 0), waits up to StopTimeout asking the caller for more time, then
//          kills the process and its children.
//   An end the host did not ask for is reported through ExitedOnItsOwn.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace JumpCloudADI.ServiceHost
{
    public sealed class SupervisorOptions
    {
        public const string ConfigFileName = "agent.json";
        public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(50);

        public string Folder { get; set; }

        public string EnginePath { get; set; }

        public string ConfigPath { get; set; }

        public string LogFile { get; set; }

        public TimeSpan StopTimeout { get; set; }

        /// <summary>The layout of an install folder: engine, config and logs side by side with the host.</summary>
        public static SupervisorOptions ForFolder(string folder, bool windows)
        {
            var full = Path.GetFullPath(folder);
            return new SupervisorOptions
            {
                Folder = full,
                EnginePath = Path.Combine(full, windows ? "jcadi-engine.exe" : "jcadi-engine"),
                ConfigPath = Path.Combine(full, ConfigFileName),
                LogFile = Path.Combine(Path.Combine(full, "logs"), "service.log"),
                StopTimeout = DefaultStopTimeout,
            };
        }

        public IList<string> EngineArguments()
        {
            return new[] { "run", "--config", ConfigPath, "--stop-on-stdin-close" };
        }
    }

    public sealed class AgentExitedEventArgs : EventArgs
    {
        public AgentExitedEventArgs(int exitCode, string lastError)
        {
            ExitCode = exitCode;
            LastError = lastError;
        }

        public int ExitCode { get; private set; }

        /// <summary>The agent's last stderr line (its fatal start problem, already scrubbed by the engine).</summary>
        public string LastError { get; private set; }
    }

    public sealed class StopResult
    {
        public StopResult(bool wasRunning, int exitCode, bool killed)
        {
            WasRunning = wasRunning;
            ExitCode = exitCode;
            Killed = killed;
        }

        public bool WasRunning { get; private set; }

        public int ExitCode { get; private set; }

        public bool Killed { get; private set; }
    }

    public sealed class AgentSupervisor : IDisposable
    {
        /// <summary>How often a stop that is still waiting asks the service manager for more time.</summary>
        public static readonly TimeSpan WaitSlice = TimeSpan.FromSeconds(5);

        /// <summary>The agent's NODE_OPTIONS, set so that the service's own never reaches it: AGENT_NODE_OPTIONS in engine/src/agent/install.ts (empty: the engine sets its V8 flags itself; a test compares them).</summary>
        public const string AgentNodeOptions = "";

        private readonly object gate = new object();
        private readonly SupervisorOptions options;
        private readonly HostLog log;
        private readonly ManualResetEvent exited = new ManualResetEvent(false);
        private Process child;
        private bool stopRequested;
        private string lastError;

        public AgentSupervisor(SupervisorOptions options, HostLog log)
        {
            this.options = options;
            this.log = log;
        }

        /// <summary>Raised (on a background thread) when the agent ends without Stop having been called.</summary>
        public event EventHandler<AgentExitedEventArgs> ExitedOnItsOwn;

        public int ProcessId { get; private set; }

        public void Start()
        {
            if (!File.Exists(options.EnginePath))
            {
                throw new FileNotFoundException("The engine " + options.EnginePath + " does not exist: reinstall the agent (Install-JCSyncAgent).", options.EnginePath);
            }
            if (!File.Exists(options.ConfigPath))
            {
                throw new FileNotFoundException("The agent configuration " + options.ConfigPath + " does not exist: reinstall the agent (Install-JCSyncAgent).", options.ConfigPath);
            }
            var start = new ProcessStartInfo(options.EnginePath, CommandLine.Join(options.EngineArguments()))
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = options.Folder,
            };
            // The service's own environment, minus the engine's JCADI_* switches (a machine-wide
            // JCADI_LOG_FILE must not redirect the agent), with NODE_OPTIONS set to the agent's V8
            // flags (never the machine's: a --require there would run in the agent). No secret, ever.
            var names = new List<string>();
            foreach (string name in start.EnvironmentVariables.Keys)
            {
                names.Add(name);
            }
            foreach (var name in names)
            {
                if (name.StartsWith("JCADI_", StringComparison.OrdinalIgnoreCase) || name.Equals("NODE_OPTIONS", StringComparison.OrdinalIgnoreCase))
                {
                    start.EnvironmentVariables.Remove(name);
                }
            }
            start.EnvironmentVariables["NODE_OPTIONS"] = AgentNodeOptions;

            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (sender, e) => OnAgentOutput(e.Data, "stdout");
            process.ErrorDataReceived += (sender, e) => OnAgentOutput(e.Data, "stderr");
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                process.Dispose();
                throw new InvalidOperationException("Cannot start " + options.EnginePath + ": " + e.Message, e);
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            lock (gate)
            {
                child = process;
                ProcessId = process.Id;
            }
            log.Info("started the sync agent (pid " + process.Id + "): " + options.EnginePath + " " + start.Arguments);
            var watcher = new Thread(WatchAgent) { IsBackground = true, Name = "agent watcher" };
            watcher.Start(process);
        }

        private void OnAgentOutput(string line, string stream)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }
            if (stream == "stderr")
            {
                lock (gate)
                {
                    lastError = line.Trim();
                }
            }
            log.Write(stream == "stderr" ? HostLogLevel.Warning : HostLogLevel.Info, "agent " + stream + ": " + line.Trim());
        }

        private void WatchAgent(object state)
        {
            var process = (Process)state;
            // Without a timeout WaitForExit also waits until stdout and stderr are read to the end.
            process.WaitForExit();
            bool expected;
            string said;
            lock (gate)
            {
                expected = stopRequested;
                said = lastError;
            }
            exited.Set();
            if (expected)
            {
                return;
            }
            var handler = ExitedOnItsOwn;
            if (handler != null)
            {
                handler(this, new AgentExitedEventArgs(process.ExitCode, said));
            }
        }

        /// <summary>
        /// Stops the agent gracefully (its stdin closed), calling requestMoreTime every WaitSlice
        /// while it waits; kills it with its children after StopTimeout. Safe to call more than once
        /// and after the agent ended by itself.
        /// </summary>
        public StopResult Stop(Action<TimeSpan> requestMoreTime)
        {
            Process process;
            lock (gate)
            {
                process = child;
                if (process == null)
                {
                    return new StopResult(false, 0, false);
                }
                stopRequested = true;
            }
            if (exited.WaitOne(0))
            {
                return new StopResult(false, process.ExitCode, false);
            }
            log.Info("stopping the sync agent: closing its stdin (it finishes the operation in flight and saves its state)");
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The pipe is already gone: the agent is ending anyway.
            }
            catch (InvalidOperationException)
            {
            }
            var deadline = DateTime.UtcNow + options.StopTimeout;
            var killed = false;
            for (;;)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }
                if (requestMoreTime != null)
                {
                    requestMoreTime(WaitSlice + WaitSlice);
                }
                if (exited.WaitOne(left < WaitSlice ? left : WaitSlice))
                {
                    break;
                }
            }
            if (!exited.WaitOne(0))
            {
                log.Warning("the sync agent did not stop within " + (int)options.StopTimeout.TotalSeconds + " s: killing it and its child processes");
                KillTree(process);
                killed = true;
                exited.WaitOne(TimeSpan.FromSeconds(10));
            }
            return new StopResult(true, exited.WaitOne(0) ? process.ExitCode : -1, killed);
        }

        private void KillTree(Process process)
        {
            try
            {
                // The agent and the processes it started (powershell.exe for DPAPI): on Windows the
                // tree is found through the process snapshot, as taskkill /T does.
                process.Kill(true);
            }
            catch (Exception e)
            {
                log.Error("could not kill the sync agent (pid " + ProcessId + "): " + e.Message);
            }
        }

        public void Dispose()
        {
            Process process;
            lock (gate)
            {
                process = child;
                child = null;
            }
            if (process != null)
            {
                process.Dispose();
            }
        }
    }
}
