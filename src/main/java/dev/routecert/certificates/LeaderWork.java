package dev.routecert.certificates;

/** Work besides the Certificate reconciler's that only the leader does, started and stopped with it. */
public interface LeaderWork {

    LeaderWork NONE = new LeaderWork() {
        @Override
        public void start() {}

        @Override
        public void stop() {}
    };

    void start();

    void stop();
}
