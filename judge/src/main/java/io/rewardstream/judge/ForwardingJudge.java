package io.rewardstream.judge;

import java.util.List;
import java.util.Objects;

/**
 * A judge that hands every call to another one: the base of wrappers that change one thing (time
 * the calls, serialise them, put a test's behaviour in front) and forward the rest.
 */
public abstract class ForwardingJudge implements Judge {

  private final Judge delegate;

  protected ForwardingJudge(Judge delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The judge the calls go to. */
  protected final Judge delegate() {
    return delegate;
  }

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    return delegate.judge(batch);
  }

  @Override
  public int promptTokens(PairInput pair) {
    return delegate.promptTokens(pair);
  }

  @Override
  public int maxPromptTokens() {
    return delegate.maxPromptTokens();
  }

  @Override
  public JudgeInfo info() {
    return delegate.info();
  }

  /** Closes the wrapped judge; a wrapper that does not own it overrides this. */
  @Override
  public void close() {
    delegate.close();
  }
}
