import { describe, expect, it } from 'vitest';
import type { StaffActor, TaskAction } from '../workflows/contracts/task.js';
import { CaseWorkerTask, MAX_HANDOVERS, MAX_QUESTIONS } from '../workflows/case-worker-task.js';

const opened = new Date('2026-11-28T10:00:00Z');
const hour = 3600_000;
const anna: StaffActor = { id: 'sb.anna', role: 'case_worker', authorityId: 'stadt' };
const ben: StaffActor = { id: 'sb.ben', role: 'case_worker', authorityId: 'stadt' };
const chef: StaffActor = { id: 'sv.chef', role: 'supervisor', authorityId: 'stadt' };
const stranger: StaffActor = { id: 'sb.fremd', role: 'case_worker', authorityId: 'andere-stadt' };

const newTask = (fourEyes = false) =>
  new CaseWorkerTask({
    taskId: 't',
    caseId: 'c',
    serviceKey: 's',
    authorityId: 'stadt',
    applicantSubject: 'p-1',
    reason: 'Firmenwagen',
    fourEyes,
    openedAt: opened,
    dueInMs: 48 * hour,
    remindBeforeMs: 24 * hour,
  });
const act = (task: CaseWorkerTask, a: TaskAction) => task.apply(a, opened, hour);
const complete = (
  actor: StaffActor,
  outcome: 'approve' | 'reject' = 'approve',
): Extract<TaskAction, { action: 'complete' }> => ({
  action: 'complete',
  taskId: 't',
  actor,
  outcome,
  justification: 'geprüft',
});

describe('case-worker task (the rules, without a server)', () => {
  it('opens with a due date and a follow-up date before it, for the case workers of the authority', () => {
    expect(newTask().view).toMatchObject({
      state: 'open',
      candidateGroup: 'stadt:sachbearbeitung',
      dueAt: '2026-11-30T10:00:00.000Z',
      followUpAt: '2026-11-29T10:00:00.000Z',
      priority: 'normal',
    });
  });

  it('claim, complete: the assignee decides, with who and why in the event', () => {
    const task = newTask();
    expect(act(task, { action: 'claim', taskId: 't', actor: anna })).toMatchObject({
      type: 'task.claimed',
      by: 'sb.anna',
    });
    expect(task.refusalOf(complete(ben))).toEqual({ type: 'forbidden', message: 'the task is claimed by sb.anna' });
    expect(task.refusalOf({ ...complete(anna), justification: ' ' })).toEqual({
      type: 'invalid',
      message: 'a written justification is required',
    });
    expect(act(task, complete(anna))).toMatchObject({
      type: 'task.completed',
      by: 'sb.anna',
      data: { outcome: 'approve', justification: 'geprüft' },
    });
    expect(task.decision).toEqual({ taskId: 't', caseWorker: 'sb.anna', outcome: 'approve', justification: 'geprüft' });
    expect(task.refusalOf(complete(anna))?.type).toBe('conflict');
  });

  it('refuses another authority, an applicant-shaped actor and a foreign task id', () => {
    const task = newTask();
    expect(task.refusalOf({ action: 'claim', taskId: 't', actor: stranger })).toEqual({
      type: 'forbidden',
      message: 'the task belongs to another authority',
    });
    expect(
      task.refusalOf({ action: 'claim', taskId: 't', actor: { ...anna, role: 'applicant' as 'case_worker' } })?.type,
    ).toBe('forbidden');
    expect(task.refusalOf({ action: 'claim', taskId: 'x', actor: anna })?.type).toBe('conflict');
    expect(task.refusalOf(complete(anna))).toEqual({ type: 'conflict', message: 'claim the task first' });
  });

  it('unclaim and reassign: only the assignee or a supervisor', () => {
    const task = newTask();
    act(task, { action: 'claim', taskId: 't', actor: anna });
    expect(task.refusalOf({ action: 'unclaim', taskId: 't', actor: ben })?.type).toBe('forbidden');
    expect(task.refusalOf({ action: 'reassign', taskId: 't', actor: anna, assignee: 'sb.ben', reason: '' })?.type).toBe(
      'invalid',
    );
    act(task, { action: 'reassign', taskId: 't', actor: chef, assignee: 'sb.ben', reason: 'Urlaub' });
    expect(task.view).toMatchObject({ state: 'claimed', assignee: 'sb.ben' });
    act(task, { action: 'unclaim', taskId: 't', actor: ben, reason: 'zuständig ist Team 2' });
    expect(task.view.state).toBe('open');
    expect(task.view.assignee).toBeUndefined();
  });

  it('four-eyes: a proposal, then a different person confirms the same outcome', () => {
    const task = newTask(true);
    act(task, { action: 'claim', taskId: 't', actor: anna });
    expect(act(task, complete(anna))).toMatchObject({ type: 'task.proposed' });
    expect(task.decision).toBeUndefined();
    expect(task.view).toMatchObject({
      state: 'open',
      stage: 'second_approval',
      proposal: { by: 'sb.anna', outcome: 'approve' },
    });
    expect(task.refusalOf({ action: 'claim', taskId: 't', actor: anna })?.message).toMatch(/four-eyes/);
    expect(
      task.refusalOf({ action: 'reassign', taskId: 't', actor: chef, assignee: 'sb.anna', reason: 'x' })?.message,
    ).toMatch(/four-eyes/);
    act(task, { action: 'claim', taskId: 't', actor: ben });
    expect(task.refusalOf(complete(ben, 'reject'))?.type).toBe('conflict');
    act(task, complete(ben));
    expect(task.decision).toMatchObject({ caseWorker: 'sb.anna', confirmedBy: 'sb.ben', outcome: 'approve' });
  });

  it('four-eyes: the second person sends the proposal back with a note, the first case worker proposes again', () => {
    const task = newTask(true);
    act(task, { action: 'claim', taskId: 't', actor: anna });
    act(task, { ...complete(anna), reasonsForApplicant: 'Sie wohnen in der Zone.' });
    const back = { action: 'send_back', taskId: 't', actor: ben, note: 'Bitte Meldebescheinigung prüfen' } as const;
    expect(task.refusalOf(back)).toEqual({ type: 'conflict', message: 'claim the task first' });
    act(task, { action: 'claim', taskId: 't', actor: ben });
    expect(task.refusalOf({ ...back, note: ' ' })?.type).toBe('invalid');
    expect(task.refusalOf({ ...back, actor: anna })?.type).toBe('forbidden');
    expect(act(task, back)).toMatchObject({
      type: 'task.sent_back',
      by: 'sb.ben',
      data: { assignee: 'sb.anna' },
      vermerk: { text: 'Bitte Meldebescheinigung prüfen' },
    });
    expect(task.view).toMatchObject({
      state: 'claimed',
      stage: 'decision',
      assignee: 'sb.anna',
      sentBack: { by: 'sb.ben', note: 'Bitte Meldebescheinigung prüfen' },
    });
    expect(task.view.proposal).toBeUndefined();
    expect(task.refusalOf(back)?.type).toBe('conflict');
    // Proposed again, with new reasons; the second look confirms and adds an internal approval, not a reason.
    expect(
      act(task, { ...complete(anna), justification: 'Meldebescheinigung liegt vor', reasonsForApplicant: 'Gründe 2' }),
    ).toMatchObject({ type: 'task.proposed', vermerk: { text: 'Meldebescheinigung liegt vor' } });
    expect(task.view.sentBack).toBeUndefined();
    act(task, { action: 'claim', taskId: 't', actor: ben });
    expect(act(task, { ...complete(ben), justification: 'Vier-Augen-Prüfung: bestätigt' })).toMatchObject({
      type: 'task.completed',
      vermerk: { title: 'Freigabe (Vier-Augen-Prüfung, intern)', text: 'Vier-Augen-Prüfung: bestätigt' },
    });
    expect(task.decision).toEqual({
      taskId: 't',
      caseWorker: 'sb.anna',
      confirmedBy: 'sb.ben',
      outcome: 'approve',
      justification: 'Meldebescheinigung liegt vor',
      reasonsForApplicant: 'Gründe 2',
      approval: 'Vier-Augen-Prüfung: bestätigt',
    });
  });

  it('reminds at the follow-up date, then escalates to the supervisors, who alone may claim', () => {
    const task = newTask();
    expect(task.nextDeadline()).toEqual({ at: Date.parse('2026-11-29T10:00:00Z'), what: 'remind' });
    expect(task.deadlinePassed('remind', opened).type).toBe('task.reminder');
    expect(task.nextDeadline()).toEqual({ at: Date.parse('2026-11-30T10:00:00Z'), what: 'escalate' });
    task.deadlinePassed('escalate', opened);
    expect(task.view).toMatchObject({ candidateGroup: 'stadt:aufsicht', priority: 'high' });
    expect(task.nextDeadline()).toBeUndefined();
    expect(task.refusalOf({ action: 'claim', taskId: 't', actor: anna })?.message).toMatch(/escalated/);
    expect(task.refusalOf({ action: 'claim', taskId: 't', actor: chef })).toBeUndefined();
  });

  it('asks the applicant: only the assignee, one question at a time, the reply only from the applicant', () => {
    const task = newTask();
    act(task, { action: 'claim', taskId: 't', actor: anna });
    expect(task.refusalOf({ action: 'ask', taskId: 't', actor: anna, kind: 'question', text: '' })?.type).toBe(
      'invalid',
    );
    act(task, { action: 'ask', taskId: 't', actor: anna, kind: 'document', text: 'Bitte Arbeitsvertrag nachreichen.' });
    const q = task.view.openQuestion!;
    expect(q).toMatchObject({ questionId: 't:q1', kind: 'document', dueAt: '2026-11-28T11:00:00.000Z' });
    expect(task.nextDeadline()).toEqual({ at: Date.parse(q.dueAt), what: 'reply_overdue' });
    expect(task.refusalOf(complete(anna))?.message).toMatch(/waiting for the applicant/);
    expect(task.replyRefusalOf({ questionId: q.questionId, subject: 'p-2', answer: 'x' })?.type).toBe('forbidden');
    expect(task.replyRefusalOf({ questionId: 'nope', subject: 'p-1', answer: 'x' })?.type).toBe('conflict');
    expect(task.replied({ questionId: q.questionId, subject: 'p-1', answer: 'anbei' }).type).toBe('applicant.replied');
    expect(task.view.openQuestion).toBeUndefined();
    expect(task.refusalOf(complete(anna))).toBeUndefined();
  });

  it('bounds what can repeat on one task, so the case history stays bounded; completing stays possible', () => {
    const task = newTask();
    for (let i = 0; i < MAX_HANDOVERS / 2; i++) {
      act(task, { action: 'claim', taskId: 't', actor: anna });
      act(task, { action: 'unclaim', taskId: 't', actor: anna, reason: 'Urlaub' });
    }
    expect(task.refusalOf({ action: 'claim', taskId: 't', actor: chef })).toMatchObject({
      type: 'conflict',
      message: expect.stringMatching(/changed hands/),
    });

    const asking = newTask();
    act(asking, { action: 'claim', taskId: 't', actor: anna });
    for (let i = 0; i < MAX_QUESTIONS; i++) {
      act(asking, { action: 'ask', taskId: 't', actor: anna, kind: 'question', text: `Frage ${i}` });
      asking.replied({ questionId: asking.view.openQuestion!.questionId, subject: 'p-1', answer: 'ja' });
    }
    expect(
      asking.refusalOf({ action: 'ask', taskId: 't', actor: anna, kind: 'question', text: 'noch eine' })?.type,
    ).toBe('conflict');
    expect(asking.refusalOf(complete(anna))).toBeUndefined();
  });
});
